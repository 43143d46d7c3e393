"""Prediction URLs, under /<tenant_slug>/predictions/."""

from django.urls import path

from prediction import views

app_name = "prediction"
urlpatterns: list = [
    path("", views.prediction_list, name="list"),
    path("run/", views.run_request, name="run"),
    path("review/", views.review, name="review"),
    path("review/<int:customer_id>/decide/", views.decide, name="decide"),
    path("backtest/", views.backtest, name="backtest"),
]
