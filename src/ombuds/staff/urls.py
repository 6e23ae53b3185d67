from django.urls import path

from . import admin_views, hotline, views

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

# Complaints taken for a caller (hotline.py, docs/hotline.md).
urlpatterns += [
    path("callers/new/", hotline.caller_complaint_new, name="caller_new"),
    path("callers/find/", hotline.caller_find, name="caller_find"),
    path("complaints/<uuid:public_id>/for-caller/", hotline.caller_entry, name="caller_entry"),
]

# The account page and the administrator's pages (admin_views.py).
urlpatterns += [
    path("account/", admin_views.account, name="account"),
    path("account/password/", admin_views.account_password, name="account_password"),
    path("account/grant/<int:user_id>/", admin_views.account_grant, name="account_grant"),
    path("admin/agencies/", admin_views.agencies, name="admin_agencies"),
    path("admin/agencies/<slug:slug>/", admin_views.agency_edit, name="admin_agency"),
    path("admin/staff/", admin_views.staff_list, name="admin_staff"),
    path("admin/staff/<int:pk>/", admin_views.member, name="admin_member"),
    path("admin/staff/<int:pk>/role/", admin_views.member_role, name="admin_member_role"),
    path(
        "admin/staff/<int:pk>/deactivate/",
        admin_views.member_deactivate,
        name="admin_member_deactivate",
    ),
    path("admin/staff/<int:pk>/reset/", admin_views.member_reset, name="admin_member_reset"),
    path("admin/staff/<int:pk>/duty/", admin_views.member_duty, name="admin_member_duty"),
]
