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
]

urlpatterns += [
    # The back office
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/bulk/", views.manage_bulk, name="manage_bulk"),
    path("manage/new/", views.product_create, name="product_create"),
    path("manage/<int:pk>/", views.product_edit, name="product_edit"),
    path("manage/<int:pk>/active/", views.product_set_active, name="product_set_active"),
    path("manage/<int:pk>/delete/", views.product_delete, name="product_delete"),
    path("manage/<int:pk>/photos/", views.photo_upload, name="photo_upload"),
    path("manage/<int:pk>/photos/<int:photo_pk>/remove/", views.photo_remove, name="photo_remove"),
    path("manage/<int:pk>/photos/<int:photo_pk>/main/", views.photo_main, name="photo_main"),
    path("manage/<int:pk>/photos/<int:photo_pk>/move/", views.photo_move, name="photo_move"),
    path("categories/", views.category_list, name="category_list"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("categories/<int:pk>/delete/", views.category_delete, name="category_delete"),
]
