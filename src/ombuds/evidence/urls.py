from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("complaints/<uuid:complaint_id>/", views.complaint_evidence, name="complaint"),
    path("complaints/<uuid:complaint_id>/export/", views.complaint_export, name="export"),
    path("cases/<uuid:case_id>/", views.case_evidence, name="case"),
    path("cases/<uuid:case_id>/export/", views.case_export, name="case_export"),
    path("cases/<uuid:case_id>/casefile/", views.case_file, name="case_file"),
    path("items/<uuid:item_id>/", views.item_detail, name="item"),
    path("items/<uuid:item_id>/working/", views.item_download, name="download"),
]
