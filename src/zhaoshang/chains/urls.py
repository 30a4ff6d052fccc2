from django.urls import path

from zhaoshang.chains import views

urlpatterns = [
    path("chain/<int:pk>/revise/", views.ChainReviseView.as_view(), name="chain_revise"),
    path("chain/<int:pk>/classify/", views.ChainClassifyView.as_view(), name="chain_classify"),
]
