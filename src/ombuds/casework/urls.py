from django.urls import path

from . import views

app_name = "casework"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("open/", views.case_open, name="open"),
    path("<uuid:public_id>/", views.case_detail, name="case"),
    path("<uuid:public_id>/records/<slug:kind>/", views.record_add, name="record_add"),
    path(
        "<uuid:public_id>/records/<uuid:record_id>/edit/",
        views.record_edit,
        name="record_edit",
    ),
    path(
        "<uuid:public_id>/records/<uuid:record_id>/delete/",
        views.record_delete,
        name="record_delete",
    ),
    path(
        "<uuid:public_id>/records/<uuid:record_id>/history/",
        views.record_history,
        name="record_history",
    ),
    path("<uuid:public_id>/status/", views.case_status, name="status"),
    path("<uuid:public_id>/assign/", views.case_assign, name="assign"),
    path("<uuid:public_id>/refer/", views.case_refer, name="refer"),
    path("<uuid:public_id>/complaints/", views.case_add_complaint, name="add_complaint"),
]
