from django.urls import path

from onevisit.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.year_list, name="year_list"),
    path("<int:year>/", views.year_detail, name="year_detail"),
    path("<int:year>/import/", views.import_figures_view, name="import"),
    path("<int:year>/rules/", views.year_rules, name="rules"),
    path("<int:year>/step/<str:step>/", views.year_step, name="step"),
    path("<int:year>/results.xlsx", views.export, name="export"),
    path("<int:year>/public/", views.public_list, name="public"),
    path("<int:year>/mine/", views.my_entry, name="mine"),
    path("<int:year>/entries/<int:pk>/", views.entry_detail, name="entry"),
    path("objections/<int:pk>/decide/", views.decide, name="decide"),
    path("<int:year>/entries/<int:pk>/diagnosis/", views.diagnosis, name="diagnosis"),
    path(
        "<int:year>/entries/<int:pk>/diagnosis.pdf", views.diagnosis_pdf_view, name="diagnosis_pdf"
    ),
    path("recommendations/", views.recommendations, name="recommendations"),
]
