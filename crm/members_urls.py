"""URLs of the members page, under /<tenant_slug>/members/."""

from django.urls import path

from crm import member_views

urlpatterns = [
    path("", member_views.member_list, name="member_list"),
    path("add/", member_views.member_invite_view, name="member_add"),
    path(
        "<int:membership_id>/role/",
        member_views.member_role_change_view,
        name="member_role_change",
    ),
    path("<int:membership_id>/remove/", member_views.member_remove_view, name="member_remove"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        member_views.invitation_revoke_view,
        name="member_invitation_revoke",
    ),
]
