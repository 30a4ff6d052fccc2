"""Chain pages beyond the generic ones."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.chains.models import Chain
from zhaoshang.chains.services import ChainDataError, chain_revise
from zhaoshang.core.jobs import job_submit
from zhaoshang.core.scope import get_allowed


class ChainReviseView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        chain = get_allowed(Chain.objects, request.user, "change", pk=pk)
        try:
            revised = chain_revise(chain=chain, user=request.user)
        except ChainDataError as error:
            messages.error(request, str(error))
            return redirect("chain_detail", pk=chain.pk)
        messages.success(request, _("已创建新版本 v%(v)s,可在此版本上修改。") % {"v": revised.version})
        return redirect("chain_detail", pk=revised.pk)


class ChainClassifyView(LoginRequiredMixin, View):
    """Place the district's firms on its current chains again, as a job (after a revision or an import)."""

    def post(self, request: Any, pk: int) -> HttpResponse:
        chain = get_allowed(Chain.objects, request.user, "change", pk=pk)
        job = job_submit(
            kind="enterprises-classify",
            title=_("企业重新归链:%(district)s") % {"district": chain.district},
            user=request.user,
            params={"district": chain.district_id},
            key=f"district:{chain.district_id}",  # a double click is one run
        )
        return redirect("job_detail", pk=job.pk)
