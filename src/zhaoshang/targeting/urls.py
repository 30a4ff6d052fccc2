from django.urls import path

from zhaoshang.targeting import views

urlpatterns = [
    path("chain/<int:pk>/gaps/", views.ChainGapsView.as_view(), name="chain_gaps"),
    path("node/<int:pk>/targets/", views.NodeTargetsView.as_view(), name="node_targets"),
]
