from __future__ import annotations

import factory
from stdnum.cn import uscc as uscc_code

from zhaoshang.core.factories import AuditedFactory, DistrictFactory
from zhaoshang.enterprises.models import ContactLog, Enterprise, TargetEntry


def make_uscc(n: int) -> str:
    """A valid 18-character USCC (GB 32100 check digit) for sequence number n."""
    body = f"9137030{n:010d}"[:17]
    return body + uscc_code.calc_check_digit(body)


class EnterpriseFactory(AuditedFactory):
    class Meta:
        model = Enterprise

    district = factory.SubFactory(DistrictFactory)
    uscc = factory.Sequence(make_uscc)
    name = factory.Sequence(lambda n: f"示例企业{n}有限公司")
    industry_code = "3491"
    registered_capital = 1000
    insured_employees = 50
    adcode = factory.LazyAttribute(lambda o: o.district.adcode)


class TargetEntryFactory(AuditedFactory):
    class Meta:
        model = TargetEntry

    district = factory.SubFactory(DistrictFactory)
    enterprise = factory.SubFactory(EnterpriseFactory, district=factory.SelfAttribute("..district"))


class ContactLogFactory(AuditedFactory):
    class Meta:
        model = ContactLog

    entry = factory.SubFactory(TargetEntryFactory)
    date = factory.Faker("date_this_year")
    summary = "初次接触"
