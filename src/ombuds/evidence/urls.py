from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("complaints/<uuid:complaint_id>/", views.complaint_evidence, name="complaint"),
    path("complaints/<uuid:complaint_id>/export/", views.complaint_export, name="export"),
    path("items/<uuid:item_id>/", views.item_detail, name="item"),
    path("items/<uuid:item_id>/working/", views.item_download, name="download"),
]
