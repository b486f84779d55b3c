from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/<int:product_pk>/", views.cart_add, name="cart_add"),
    path("cart/<int:product_pk>/update/", views.cart_update, name="cart_update"),
    path("cart/<int:product_pk>/remove/", views.cart_remove, name="cart_remove"),
]
