from django.urls import path

from .views import complaint_new

urlpatterns = [path("complaint/", complaint_new)]
