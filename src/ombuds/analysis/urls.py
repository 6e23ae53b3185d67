from django.urls import path

from . import views

app_name = "analysis"
urlpatterns = [
    path("", views.home, name="home"),
    path("import/", views.list_import, name="import"),
    path("lists/<uuid:public_id>/", views.list_detail, name="list"),
    path("lists/<uuid:public_id>/file/", views.list_file, name="list_file"),
    path("runs/new/", views.run_new, name="run_new"),
    path("runs/<uuid:public_id>/", views.run_detail, name="run"),
    path("runs/<uuid:public_id>/review/", views.run_review, name="review"),
    path("runs/<uuid:public_id>/persons/", views.run_persons, name="persons"),
]
