from django.urls import path

from zhaoshang.chains import pages

urlpatterns = [
    path("chain/<int:pk>/revise/", pages.ChainReviseView.as_view(), name="chain_revise"),
    path("chain/<int:pk>/gaps/", pages.ChainGapsView.as_view(), name="chain_gaps"),
    path("chain/<int:pk>/classify/", pages.ChainClassifyView.as_view(), name="chain_classify"),
    path("node/<int:pk>/targets/", pages.NodeTargetsView.as_view(), name="node_targets"),
]
