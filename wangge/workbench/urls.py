from django.urls import path

from wangge.workbench import views

urlpatterns = [path("", views.home, name="home")]
