from django.urls import path

from . import views

app_name = "followers"

urlpatterns = [
    path("follow/topic/", views.follow_topic, name="follow-topic"),
    path("follow/tip/<int:tip_id>/", views.follow_tip, name="follow-tip"),
    path("follow/check-your-inbox/", views.check_inbox, name="check-inbox"),
    path("follow/confirm/<str:token>/", views.confirm, name="confirm"),
    path("follow/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("follow/manage/<str:token>/", views.manage, name="manage"),
]
