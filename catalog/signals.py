"""Every saved or deleted product, category, photo or review moves the catalog version, whoever
wrote it: the catalog services, the Django admin, a data fix in the shell or a test factory.

The version is bumped at once (so reads later in the same transaction, and tests, see the
change) and again when the transaction commits (so a page or a count drawn by another process
between the two, from data not yet committed, is not kept under the new version)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from .models import Category, Product, ProductPhoto, Review
from bibarys.cache import catalog_changed as drop_cached_pages

# Sent (in the writer's transaction) when products move to another category, whoever moved
# them: a product saved with a new category, the back office's bulk action, an import. Reports
# that keep per-category totals listen (analytics.board).
products_recategorised = Signal()


@receiver([post_save, post_delete], sender=Product)
@receiver([post_save, post_delete], sender=Category)
@receiver([post_save, post_delete], sender=ProductPhoto)
@receiver([post_save, post_delete], sender=Review)
def catalog_changed(sender, raw=False, **kwargs):
    if raw:  # loaddata: the loaded rows are not a change anyone has seen yet
        return
    drop_cached_pages()


@receiver(post_save, sender=Product, dispatch_uid="catalog_product_recategorised")
def product_saved(sender, instance, created, raw=False, **kwargs):
    loaded = getattr(instance, "_loaded_category_id", instance.category_id)
    if not created and not raw and loaded != instance.category_id:
        products_recategorised.send(sender=Product, product_ids=[instance.pk])
    instance._loaded_category_id = instance.category_id
