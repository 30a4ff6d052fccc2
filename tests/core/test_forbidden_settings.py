"""403 inside, 404 outside, for a district's settings pages: someone of the district without the right is told
why; another district's page stays a 404; the right holder gets the page. And adding a district or zone: a
city's supervisor (or the instance's administrator) may, a district's administrator is told why not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhaoshang.assessment.province_demo import province_demo_ensure
from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.core.declarations import config_for_key
from zhaoshang.core.factories import RoleAssignmentFactory, RoleFactory, UserFactory
from zhaoshang.core.models import District
from zhaoshang.core.scope import forget_scopes
from zhaoshang.core.testing import url
from zhaoshang.notifications.models import ChannelConfig


@pytest.fixture
def viewer(org: Any) -> Any:
    """Staff of Linzi who may only look (say, the leaders' office): sees everything of Linzi, changes nothing."""
    with acting_as(system_actor("test"), "system"):
        user = UserFactory(username="linzi_viewer", is_staff=True)
        assignment = RoleAssignmentFactory(
            user=user, role=RoleFactory(code="viewer", name="查看员", actions=["view"])
        )
        assignment.districts.add(org["linzi_district"])
    return user


@pytest.fixture
def channel(org: Any, as_test_actor: Any) -> ChannelConfig:
    return ChannelConfig.objects.create(
        district=org["linzi_district"], name="临淄群", kind="wecom", target="https://qyapi.weixin.qq.com/x"
    )


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _refused(response: Any, reason: str) -> bool:
    return response.status_code == 403 and reason in response.content.decode()


THRESHOLDS = {
    "step_yellow_days": 1,
    "step_red_days": 100,
    "red_overdue_steps": 3,
    "promise_yellow_days": 1,
    "promise_red_days": 40,
    "stall_months": 6,
}


@pytest.mark.parametrize(
    ("name", "reason"),
    [("district_settings", "不能修改本区县考核设置"), ("status_thresholds", "不能修改红黄牌阈值")],
)
def test_district_settings_pages(org: Any, users: Any, name: str, reason: str) -> None:
    page = reverse(name, args=[org["linzi_district"].pk])
    # Inside without the verify right: 403 with the role in the reason, on a read and on a write.
    assert _refused(_as(users["linzi_chief"]).get(page), f"你的角色(链长){reason}")
    assert _refused(_as(users["linzi_chief"]).post(page, THRESHOLDS), f"你的角色(链长){reason}")
    assert _refused(_as(users["linzi_clerk"]).get(page), reason)
    # Outside: 404, as if Linzi had no such page.
    assert _as(users["huantai_admin"]).get(page).status_code == 404
    assert _as(users["huantai_admin"]).post(page, THRESHOLDS).status_code == 404
    # With the right: the page.
    assert _as(users["linzi_admin"]).get(page).status_code == 200
    assert _as(users["city_admin"]).get(page).status_code == 200


def test_notification_rules(org: Any, users: Any, viewer: Any) -> None:
    rules = reverse("notifications_rules", args=[org["linzi_district"].pk])
    data = {"enabled_task_due": "on", "lead_task_due": "5"}
    assert _refused(_as(viewer).post(rules, data), "你的角色(查看员)不能修改提醒规则")
    assert _refused(_as(users["linzi_chief"]).post(rules, data), "只有区县管理员可以配置提醒渠道")
    assert _as(users["huantai_admin"]).post(rules, data).status_code == 404
    assert _as(users["linzi_admin"]).post(rules, data).status_code == 302


def test_notification_channel_pages(org: Any, users: Any, viewer: Any, channel: ChannelConfig) -> None:
    edit = reverse("notifications_channel_edit", args=[channel.pk])
    assert _refused(_as(viewer).get(edit), "你的角色(查看员)不能修改提醒渠道")
    assert _refused(_as(viewer).post(edit, {"action": "delete"}), "不能修改提醒渠道")
    assert _refused(_as(users["linzi_chief"]).get(edit), "只有区县管理员可以配置提醒渠道")
    assert _as(users["huantai_admin"]).get(edit).status_code == 404
    assert _as(users["huantai_admin"]).post(edit, {"action": "delete"}).status_code == 404
    assert ChannelConfig.objects.filter(pk=channel.pk).exists()
    assert _as(users["linzi_admin"]).get(edit).status_code == 200
    channels = reverse("notifications_channels")
    assert _refused(_as(users["linzi_chief"]).get(channels), "只有区县管理员可以配置提醒渠道")
    assert _as(users["linzi_admin"]).get(channels).status_code == 200


ZONE = {"kind": "zone", "adcode": "370374", "name": "淄博新设功能区", "lng": "", "lat": ""}


def test_a_district_admin_may_not_add_a_district(org: Any, users: Any) -> None:
    config = config_for_key("district")
    add = url(config, "add")
    linzi = _as(users["linzi_admin"])
    reason = "你的角色(区县管理员)不能新增区县/功能区"
    assert _refused(linzi.get(add), reason)
    assert _refused(linzi.post(add, {**ZONE, "city": org["linzi_district"].city_id}), reason)
    assert not District.objects.filter(adcode="370374").exists()
    listing = linzi.get(url(config, "list"))
    assert listing.status_code == 200 and not listing.context["can_add"]
    # The city's administrator (everywhere on a city's instance) adds it.
    city = _as(users["city_admin"])
    assert city.get(url(config, "list")).context["can_add"]
    assert city.post(add, {**ZONE, "city": org["linzi_district"].city_id}).status_code == 302
    assert District.objects.get(adcode="370374").history.first().history_user == users["city_admin"]


def test_a_city_supervisor_adds_zones_to_their_own_city_only(org: Any, users: Any) -> None:
    with acting_as(system_actor("demo"), "demo"):
        found = province_demo_ensure("secret-password")
    for user in users.values():
        forget_scopes(user)
    add = url(config_for_key("district"), "add")
    supervisor = _as(users["city_admin"])  # now covers 淄博 only
    assert supervisor.post(add, {**ZONE, "adcode": "370375", "city": found["zibo"].pk}).status_code == 302
    assert District.objects.get(adcode="370375").city == found["zibo"]
    other = supervisor.post(add, {**ZONE, "adcode": "370771", "city": found["weifang"].pk})
    assert other.status_code == 400 and not District.objects.filter(adcode="370771").exists()
    province = _as(found["province_admin"])
    assert province.post(add, {**ZONE, "adcode": "370772", "city": found["weifang"].pk}).status_code == 302
    assert _refused(_as(users["linzi_admin"]).get(add), "不能新增区县/功能区")
