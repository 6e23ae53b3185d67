from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/code/", views.second_factor, name="second_factor"),
    path("sign-out/", views.sign_out, name="logout"),
    path("sign-in-failures/", views.sign_in_failures, name="sign_in_failures"),
    path("complaints/<uuid:public_id>/", views.complaint_detail, name="complaint"),
    path("complaints/<uuid:public_id>/reply/", views.complaint_reply, name="complaint_reply"),
    path("complaints/<uuid:public_id>/status/", views.complaint_status, name="complaint_status"),
]
