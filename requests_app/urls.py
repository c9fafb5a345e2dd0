from django.urls import path

from . import views

app_name = "requests_app"

urlpatterns = [
    path("request-a-tip/", views.request_tip, name="request"),
    path("request-a-tip/thanks/", views.thanks, name="thanks"),
    path("request-a-tip/suggestions/", views.suggestions, name="suggestions"),
    path("requests/answered/", views.AnsweredView.as_view(), name="answered"),
]
