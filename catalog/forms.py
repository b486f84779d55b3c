"""Input of the catalog pages: validation only (services apply the store's rules)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from accounts.models import Role, User
from bibarys.fields import LocalDecimalField
from bibarys.limits import limit_for
from bibarys.money import TIYN
from bibarys.units import PIECES_ONLY, Unit, quantity_fits_unit

from .images import MAX_UPLOAD_BYTES
from .models import Category, Product, ProductPhoto
from .vat import VatRate
from .selectors import ManageFilters, ShopFilters
from .services import barcodes_parse, barcodes_validate


# The bounds of the columns the forms fill, read from the model fields (bibarys/limits.py).
PRICE = limit_for(Product._meta.get_field("price"))
COST = limit_for(Product._meta.get_field("cost_price"))
THRESHOLD = limit_for(Product._meta.get_field("low_stock_threshold"))
POSITION = limit_for(Category._meta.get_field("position"))
# The largest price a product's DecimalField(max_digits=12, decimal_places=2) holds.
PRICE_MAX = PRICE.max_value


def _category_choices(tree, empty_label):
    return [("", empty_label)] + [
        (c.slug, ("— " * getattr(c, "depth", 0)) + c.name) for c in tree]


class ShopFilterForm(forms.Form):
    """The catalog's GET form: every value optional; a bad one is ignored, and `ignored` says
    which and why (the page shows it, as the dashboard says its period was not applied)."""

    SORT_CHOICES = [
        ("name", pgettext_lazy("catalog", "Name")),
        ("price", _("Price: low to high")),
        ("-price", _("Price: high to low")),
        ("newest", _("Newest")),
        ("rating", _("Rating")),
    ]

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        error_messages={"max_length": _(
                            "A search may be at most %(limit_value)d characters long (this one "
                            "has %(show_value)d).")},
                        widget=forms.TextInput(attrs={
                            "type": "search", "placeholder": _("Name, SKU or barcode"),
                            "autocomplete": "off"}))
    category = forms.ChoiceField(label=_("Category"), required=False, error_messages={
        "invalid_choice": _("There is no such category.")})
    price_min = LocalDecimalField(label=_("Price from"), required=False, places=2, money=True,
                                  max_value=PRICE_MAX,
                                  widget=forms.TextInput(attrs={"placeholder": "0"}))
    price_max = LocalDecimalField(label=_("Price to"), required=False, places=2, money=True,
                                  max_value=PRICE_MAX,
                                  widget=forms.TextInput(attrs={"placeholder": "∞"}))
    in_stock = forms.BooleanField(label=_("In stock only"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES,
                             error_messages={"invalid_choice": _("Unknown sort order: sorted by name.")})

    def __init__(self, *args, tree=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tree = list(tree)
        self.fields["category"].choices = _category_choices(self.tree, _("All categories"))
        # The search box may hold more than the limit (a paste): the server says so instead
        # of the browser cutting it silently.
        self.fields["q"].widget.attrs.pop("maxlength", None)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            # Neither end is the shopper's mistake alone: the range is ignored as a whole.
            cleaned.pop("price_min")
            cleaned.pop("price_max")
            self.add_error("price_max", ValidationError(
                _("“Price to” is less than “Price from”: the price range is ignored."),
                code="reversed"))
        return cleaned

    @property
    def ignored(self) -> list[dict]:
        """The filters that were not applied: [{"label", "reason"}], in the form's order."""
        if not self.is_bound:
            return []
        self.is_valid()
        return [{"label": self.fields[name].label, "reason": " ".join(errors)}
                for name, errors in self.errors.items() if name in self.fields]

    def filters(self) -> ShopFilters:
        if not self.is_bound:
            return ShopFilters()
        self.is_valid()
        data = self.cleaned_data  # only the fields that were valid
        by_slug = {c.slug: c for c in self.tree}
        return ShopFilters(
            q=data.get("q") or "",
            category=by_slug.get(data.get("category") or ""),
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            in_stock=bool(data.get("in_stock")),
            sort=data.get("sort") or "name",
        )


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"), coerce=int, widget=forms.RadioSelect,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        error_messages={"required": _("Choose a rating from 1 to 5.")})
    text = forms.CharField(label=_("Your review"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}))


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photo files from one <input type=file multiple>; each checked by the service."""

    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if len(files) > ProductPhoto.MAX_PER_PRODUCT:
            raise ValidationError(_("A product has at most %(max)s photos.")
                                  % {"max": ProductPhoto.MAX_PER_PRODUCT})
        cleaned = [super(MultiplePhotoField, self).clean(f, initial) for f in files]
        for upload in cleaned:
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError(_("%(name)s is too large: at most 5 MB.")
                                      % {"name": upload.name})
        return cleaned


class ProductForm(forms.Form):
    """The product card a seller fills in; the admin also chooses the seller. The name and
    description in the store's language (Kazakh) are the product's own; Russian and English
    ones are optional (a shopper reading those sees the Kazakh one when they are empty)."""

    name = forms.CharField(label=pgettext_lazy("catalog", "Name"), max_length=200,
                           help_text=_("Required. As the shelf label says, e.g. «Сүт 3,2% 1 л»."),
                           widget=forms.TextInput(attrs={"lang": "kk"}))
    name_ru = forms.CharField(label=pgettext_lazy("catalog", "Name"), max_length=200,
                              required=False, widget=forms.TextInput(attrs={"lang": "ru"}),
                              help_text=_("Optional. Empty: Russian readers see the Kazakh name."))
    name_en = forms.CharField(label=pgettext_lazy("catalog", "Name"), max_length=200,
                              required=False, widget=forms.TextInput(attrs={"lang": "en"}),
                              help_text=_("Optional. Empty: English readers see the Kazakh name."))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    price = LocalDecimalField(label=_("Sale price, ₸"), limit=PRICE, min_value=TIYN)
    cost_price = LocalDecimalField(label=_("Cost price, ₸"), limit=COST, min_value=Decimal("0"),
                                   initial=Decimal("0"))
    low_stock_threshold = LocalDecimalField(
        label=_("Low-stock threshold"), limit=THRESHOLD, min_value=Decimal("0"),
        initial=Decimal("5"),
        help_text=_("The product is highlighted when its stock falls to this level."))
    sku = forms.CharField(label=_("SKU"), max_length=64)
    vat_rate = forms.ChoiceField(
        label=_("VAT rate"), required=False,
        choices=[("", _("As its category"))] + VatRate.choices,
        help_text=_("Prices include VAT. Used only when the store is a VAT payer."))
    plu = forms.IntegerField(
        label=_("PLU"), required=False, min_value=1, max_value=99999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("For weighed goods: the number the label scale prints (up to 5 digits)."))
    barcodes = forms.CharField(
        label=_("Barcodes (EAN)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2, "inputmode": "numeric"}),
        help_text=_("One per line or separated by commas: 8 or 13 digits with a correct check digit."))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4, "lang": "kk"}))
    description_ru = forms.CharField(label=_("Description"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 4, "lang": "ru"}))
    description_en = forms.CharField(label=_("Description"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 4, "lang": "en"}))
    is_active = forms.BooleanField(label=_("On sale (shown in the shop)"), required=False,
                                   initial=True)
    seller = forms.ModelChoiceField(label=_("Seller"), queryset=User.objects.none(),
                                    required=False)
    photos = MultiplePhotoField(
        label=_("Photos"), required=False,
        widget=MultiplePhotoInput(attrs={
            "accept": "image/jpeg,image/png,image/webp", "data-photo-preview": "new-photo-preview",
            # Six chosen at once: the browser keeps the first five and says so (catalog.js),
            # instead of the whole form coming back with the choice gone.
            "data-photo-max": "5",
            "data-photo-too-many": _("Only the first 5 photos are kept: a product has at most 5.")}),
        help_text=_("Up to 5 photos: JPEG, PNG or WebP, each up to 5 MB. The first is the main one."))

    def __init__(self, *args, user, product: Product | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        self.fields["category"].queryset = Category.objects.all()
        if getattr(user, "is_admin", False) and product is None:
            self.fields["seller"].queryset = User.objects.filter(
                role=Role.SELLER, is_active=True).order_by("username")
            self.fields["seller"].required = True
            self.fields["seller"].label_from_instance = lambda u: f"{u.display_name} ({u.username})"
        else:
            del self.fields["seller"]
        if product is not None:
            del self.fields["photos"]  # an existing product's photos are managed one by one

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if len(name) < 2:
            raise ValidationError(_("Write the product's name."))
        return name

    def clean_name_ru(self):
        return self.cleaned_data["name_ru"].strip()

    def clean_name_en(self):
        return self.cleaned_data["name_en"].strip()

    # The fields of one language, as the template lays them out (a block per language).
    LANGUAGE_BLOCKS = (("kk", "Қазақша", ("name", "description")),
                       ("ru", "Русский", ("name_ru", "description_ru")),
                       ("en", "English", ("name_en", "description_en")))

    def language_blocks(self):
        return [{"code": code, "label": label, "fields": [self[name] for name in names],
                 "required": code == "kk"}
                for code, label, names in self.LANGUAGE_BLOCKS]

    def clean_sku(self):
        sku = self.cleaned_data["sku"].strip()
        if not sku or any(ch.isspace() for ch in sku):
            raise ValidationError(_("An SKU has no spaces."))
        taken = Product.objects.filter(sku=sku)
        if self.product is not None:
            taken = taken.exclude(pk=self.product.pk)
        if taken.exists():
            raise ValidationError(_("This SKU is already used by another product."))
        return sku

    def clean_plu(self):
        plu = self.cleaned_data.get("plu")
        if plu is None:
            return None
        taken = Product.objects.filter(plu=plu)
        if self.product is not None:
            taken = taken.exclude(pk=self.product.pk)
        if taken.exists():
            raise ValidationError(_("This PLU is already used by another product."))
        return plu

    def clean_barcodes(self):
        codes = barcodes_parse(self.cleaned_data.get("barcodes") or "")
        return barcodes_validate(codes, product=self.product)

    def clean(self):
        data = super().clean()
        unit, threshold = data.get("unit"), data.get("low_stock_threshold")
        if unit and threshold is not None and not quantity_fits_unit(threshold, unit):
            self.add_error("low_stock_threshold", PIECES_ONLY)
        return data


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp",
                                               "data-photo-preview": "photo-preview"}),
        help_text=_("JPEG, PNG or WebP, up to 5 MB; at most 5 photos."))

    def clean_image(self):
        upload = self.cleaned_data["image"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The photo is too large: at most 5 MB."))
        return upload


class CategoryForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("catalog", "Name"), max_length=120)
    parent = forms.ModelChoiceField(label=_("Parent category"), required=False,
                                    queryset=Category.objects.none(),
                                    empty_label=_("— top level —"))
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0, required=False,
                                  max_value=int(POSITION.max_value))
    vat_rate = forms.ChoiceField(
        label=_("VAT rate"), required=False,
        choices=[("", _("The store's rate"))] + VatRate.choices,
        help_text=_("For its products that have no rate of their own."))

    def __init__(self, *args, category: Category | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Category.objects.all()
        if category is not None:
            queryset = queryset.exclude(pk=category.pk)
        self.fields["parent"].queryset = queryset

    def clean_position(self):
        return self.cleaned_data.get("position") or 0


class ManageFilterForm(forms.Form):
    STATUS_CHOICES = [("", _("Any status")), ("active", _("On sale")),
                      ("archived", _("Archived"))]
    STOCK_CHOICES = [("", _("Any stock")), ("low", _("Low stock")), ("out", _("Out of stock"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("Name, SKU or barcode")}))
    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    stock = forms.ChoiceField(label=_("Stock"), required=False, choices=STOCK_CHOICES)
    seller = forms.TypedChoiceField(label=_("Seller"), required=False, coerce=int,
                                    empty_value=None)

    def __init__(self, *args, tree=(), user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tree = list(tree)
        self.fields["category"].choices = _category_choices(self.tree, _("All categories"))
        if getattr(user, "is_admin", False):
            sellers = User.objects.filter(role__in=[Role.SELLER, Role.ADMIN]).order_by(
                "first_name", "username")
            self.fields["seller"].choices = [("", _("All sellers"))] + [
                (u.pk, u.display_name) for u in sellers]
        else:
            del self.fields["seller"]

    def filters(self) -> ManageFilters:
        if not self.is_bound:
            return ManageFilters()
        self.is_valid()
        data = self.cleaned_data
        by_slug = {c.slug: c for c in self.tree}
        return ManageFilters(q=data.get("q") or "",
                             category=by_slug.get(data.get("category") or ""),
                             status=data.get("status") or "", stock=data.get("stock") or "",
                             seller_id=data.get("seller"))


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("archive", _("Archive")),
        ("activate", _("Put on sale")),
        ("category", _("Move to category")),
        ("price", _("Change price by %")),
        ("delete", _("Delete the never-sold")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    products = forms.ModelMultipleChoiceField(
        label=_("Products"), queryset=Product.objects.all(),
        error_messages={"required": _("Tick at least one product.")})
    category = forms.ModelChoiceField(label=_("Category"), required=False,
                                      queryset=Category.objects.all())
    percent = LocalDecimalField(label=_("Change, %"), required=False, places=2,
                                min_value=Decimal("-99.99"), max_value=Decimal("1000"))
    confirm = forms.BooleanField(label=_("Yes, apply to the ticked products"), required=False)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "category" and not data.get("category"):
            self.add_error("category", _("Choose the category to move the products to."))
        if action == "price" and "percent" not in self.errors \
                and data.get("percent") in (None, Decimal("0")):
            self.add_error("percent", _("Write the change in percent, e.g. 10 or -5."))
        return data
