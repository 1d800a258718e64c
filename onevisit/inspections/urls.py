from django.urls import path

from onevisit.inspections import views

app_name = "inspections"

urlpatterns = [
    path("v/", views.verify_entry, name="verify_entry"),
    path("v/key.pem", views.public_key, name="public_key"),
    path("v/keys.pem", views.public_keys, name="public_keys"),
    path("v/complaints/", views.complaint_status, name="complaint_status"),
    path("v/<str:code>", views.verify, name="verify"),
    path("v/<str:code>/complain", views.complain, name="complain"),
    path("inspections/", views.visit_list, name="visit_list"),
    path("inspections/new/", views.visit_new, name="visit_new"),
    path("inspections/planned/", views.planned_list, name="planned_list"),
    path("inspections/planned/<int:pk>/", views.schedule_planned, name="schedule_planned"),
    path("inspections/today/", views.today, name="today"),
    path("inspections/mine/", views.mine, name="mine"),
    path("inspections/evaluations/", views.evaluation_summary, name="evaluation_summary"),
    path("inspections/photos/<int:pk>/", views.photo, name="photo"),
    path(
        "inspections/proposals/<int:pk>/<str:decision>/",
        views.proposal_decide,
        name="proposal_decide",
    ),
    path("inspections/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("inspections/<int:pk>/qr.svg", views.visit_qr, name="visit_qr"),
    path("inspections/<int:pk>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("inspections/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("inspections/<int:pk>/checklist/", views.checklist, name="checklist"),
    path("inspections/<int:pk>/checklist/<str:key>/", views.checklist_row, name="checklist_row"),
    path("inspections/<int:pk>/sign/<str:party>/", views.sign, name="sign"),
    path("inspections/<int:pk>/close/", views.close, name="close"),
    path("inspections/<int:pk>/record.pdf", views.record_pdf, name="record_pdf"),
    path("inspections/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("inspections/<int:pk>/feedback.pdf", views.feedback_pdf, name="feedback_pdf"),
    path("inspections/<int:pk>/order.pdf", views.order_pdf, name="order_pdf"),
    path("inspections/<int:pk>/propose/", views.propose, name="propose"),
    path("inspections/<int:pk>/evaluate/", views.evaluate, name="evaluate"),
]
