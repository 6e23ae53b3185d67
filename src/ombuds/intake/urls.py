from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("complaint/", views.complaint_new, name="complaint_new"),
    path("return/", views.return_visit, name="return"),
    path("return/complaint/", views.my_complaint, name="my_complaint"),
    path("return/complaint/files/", views.my_complaint_file, name="my_complaint_file"),
    path("return/withdraw/", views.withdraw, name="withdraw"),
    path("return/leave/", views.leave, name="leave"),
]
