from django.urls import path

from zhaoshang.chains import pages

urlpatterns = [
    path("chain/<int:pk>/revise/", pages.ChainReviseView.as_view(), name="chain_revise"),
]
