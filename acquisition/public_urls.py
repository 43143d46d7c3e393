"""Public URLs under /p/ (no sign-in): the lead form and the customer's preference page."""

from django.urls import path

from acquisition import public

urlpatterns = [
    path("<slug:company>/lead/<str:key>/", public.lead_form, name="lead_form"),
    path("<slug:company>/lead/<str:key>/thanks/", public.lead_form_thanks, name="lead_form_thanks"),
    path("<slug:company>/preferences/<str:token>/", public.preferences, name="preferences"),
]
