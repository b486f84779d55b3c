from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    # The shop
    path("", views.product_list, name="product_list"),
    path("p/<str:slug>/", views.product_detail, name="product_detail"),
    path("p/<str:slug>/review/", views.review_save, name="review_save"),
    path("reviews/<int:pk>/hide/", views.review_hide, name="review_hide"),
    path("wishlist/", views.wishlist, name="wishlist"),
    path("wishlist/<int:product_pk>/toggle/", views.wishlist_toggle, name="wishlist_toggle"),
    path("wishlist/<int:product_pk>/remove/", views.wishlist_remove, name="wishlist_remove"),
    path("wishlist/<int:product_pk>/to-cart/", views.wishlist_to_cart, name="wishlist_to_cart"),
]
