from django.urls import path

from . import views, wishlist

app_name = "orders"

urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/<int:product_pk>/", views.cart_add, name="cart_add"),
    path("cart/<int:product_pk>/update/", views.cart_update, name="cart_update"),
    path("cart/<int:product_pk>/remove/", views.cart_remove, name="cart_remove"),
    path("wishlist/<int:product_pk>/to-cart/", wishlist.wishlist_to_cart, name="wishlist_to_cart"),
    path("checkout/", views.checkout_delivery, name="checkout_delivery"),
    path("checkout/review/", views.checkout_review, name="checkout_review"),
    path("checkout/done/<int:pk>/", views.checkout_done, name="checkout_done"),
    path("my/", views.order_list, name="order_list"),
    path("my/<int:pk>/", views.order_detail, name="order_detail"),
    path("my/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("my/<int:pk>/pay/", views.order_pay_card, name="order_pay_card"),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/<int:pk>/status/", views.manage_status, name="manage_status"),
    path("lines/", views.seller_lines, name="seller_lines"),
    path("manage/<int:pk>/return/", views.order_return_page, name="order_return"),
]
