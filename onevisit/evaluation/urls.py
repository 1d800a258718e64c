from django.urls import path

from onevisit.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.year_list, name="year_list"),
    path("<int:year_id>/", views.year_detail, name="year_detail"),
    path("<int:year_id>/import/", views.import_figures_view, name="import"),
    path("<int:year_id>/rules/", views.year_rules, name="rules"),
    path("<int:year_id>/step/<str:step>/", views.year_step, name="step"),
    path("<int:year_id>/results.xlsx", views.export, name="export"),
    path("<int:year_id>/public/", views.public_list, name="public"),
    path("<int:year_id>/public/v<int:number>/", views.public_version, name="public_version"),
    path("<int:year_id>/mine/", views.my_entry, name="mine"),
    path("<int:year_id>/entries/<int:pk>/", views.entry_detail, name="entry"),
    path("objections/<int:pk>/decide/", views.decide, name="decide"),
    path("<int:year_id>/entries/<int:pk>/diagnosis/", views.diagnosis, name="diagnosis"),
    path(
        "<int:year_id>/entries/<int:pk>/diagnosis.pdf",
        views.diagnosis_pdf_view,
        name="diagnosis_pdf",
    ),
    path(
        "<int:year_id>/entries/<int:pk>/diagnosis-v<int:number>.pdf",
        views.diagnosis_pdf_view,
        name="diagnosis_version_pdf",
    ),
    path("recommendations/", views.recommendations, name="recommendations"),
]
