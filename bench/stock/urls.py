from django.urls import path

from bench.stock import views

urlpatterns = [
    path("ok/", views.ok),
    path("template/", views.template),
]
