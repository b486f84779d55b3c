"""The columns of a product list: their names in every language (what the import reads and the
export writes), the units' words, the header row's mapping."""

from bibarys.units import Unit

# The names in Russian and English last: a file laid out as before keeps its columns' places.
# The columns that hold numbers (their bounds: bibarys.limits, the model fields').
NUMBER_COLUMNS = {"price", "cost", "quantity"}
COLUMNS = ("sku", "name", "barcode", "category", "unit", "price", "cost", "quantity", "name_ru",
           "name_en")

# The column names the export writes, per language, and the import reads in any language:
# a file exported on a Kazakh page imports on an English one. Written out here, not through
# gettext, because the import must know every language's names whatever the page's language.
# A new column (a name per language, say) is one more row here and in COLUMNS.
COLUMN_NAMES = {
    "sku": {"en": "sku", "kk": "артикул", "ru": "артикул"},
    "name": {"en": "name", "kk": "атауы", "ru": "наименование"},
    "barcode": {"en": "barcode", "kk": "штрихкод", "ru": "штрихкод"},
    "category": {"en": "category", "kk": "санат", "ru": "категория"},
    "unit": {"en": "unit", "kk": "өлшем бірлігі", "ru": "единица измерения"},
    "price": {"en": "price", "kk": "сату бағасы", "ru": "цена продажи"},
    "cost": {"en": "cost", "kk": "өзіндік құны", "ru": "себестоимость"},
    "quantity": {"en": "quantity", "kk": "қалдық", "ru": "остаток"},
    "name_ru": {"en": "name_ru", "kk": "атауы (орысша)", "ru": "наименование (рус.)"},
    "name_en": {"en": "name_en", "kk": "атауы (ағылшынша)", "ru": "наименование (англ.)"},
}
# How each language's export writes a unit (each one a word UNIT_ALIASES reads back).
EXPORT_UNITS = {
    "en": {Unit.PIECE: "pcs", Unit.KG: "kg", Unit.LITRE: "l"},
    "kk": {Unit.PIECE: "дана", Unit.KG: "кг", Unit.LITRE: "л"},
    "ru": {Unit.PIECE: "шт", Unit.KG: "кг", Unit.LITRE: "л"},
}

# Other header words as stores write them (1C, hand-made sheets), lower-cased, without spaces
# around; the import reads these and every name of COLUMN_NAMES.
HEADER_ALIASES = {
    "name": {"name", "product", "product name", "title", "атауы", "тауар", "тауар атауы",
             "наименование", "название", "товар", "номенклатура"},
    # The name in Russian and in English (optional; "name" is the store's language, Kazakh).
    "name_ru": {"name_ru", "name ru", "name (ru)", "name (russian)", "атауы (орысша)",
                "орысша атауы", "наименование (рус)", "наименование (рус.)",
                "название (рус)", "название на русском"},
    "name_en": {"name_en", "name en", "name (en)", "name (english)", "атауы (ағылшынша)",
                "ағылшынша атауы", "наименование (англ)", "наименование (англ.)",
                "название (англ)", "название на английском"},
    "sku": {"sku", "article", "code", "артикул", "код", "код товара"},
    "barcode": {"barcode", "ean", "ean13", "штрихкод", "штрих-код", "штрих код", "штрихкоды"},
    "category": {"category", "group", "санат", "санаты", "категория", "группа"},
    "unit": {"unit", "uom", "өлшем бірлігі", "өлшем", "единица", "единица измерения", "ед.",
             "ед", "ед. изм.", "ед.изм."},
    "price": {"price", "sale price", "бағасы", "баға", "сату бағасы", "цена", "цена продажи",
              "розничная цена"},
    "cost": {"cost", "cost price", "өзіндік құны", "өзіндік құн", "себестоимость",
             "закупочная цена", "цена закупки"},
    "quantity": {"quantity", "qty", "stock", "on hand", "саны", "қалдық", "количество",
                 "остаток", "кол-во"},
}
UNIT_ALIASES = {
    Unit.PIECE: {"piece", "pieces", "pcs", "pc", "шт", "шт.", "штука", "штук", "дана", "дн",
                 "дн.", "ea", "each"},
    Unit.KG: {"kg", "кг", "кг.", "kilogram", "килограмм", "килограмм.", "kilo"},
    Unit.LITRE: {"l", "л", "л.", "litre", "liter", "литр", "lt", "ltr"},
}
_UNIT_LOOKUP = {alias: unit for unit, aliases in UNIT_ALIASES.items() for alias in aliases}
_HEADER_LOOKUP = {alias: column for column, aliases in HEADER_ALIASES.items()
                  for alias in aliases}
_HEADER_LOOKUP.update({name: column for column, names in COLUMN_NAMES.items()
                       for name in names.values()})


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, too big, a zip bomb, no header)."""


def _header_key(text: str) -> str:
    return " ".join(str(text).replace("\ufeff", "").strip().lower().split()).rstrip(":*")


def map_headers(header: list[str]) -> dict[str, int]:
    mapping = {}
    for index, text in enumerate(header):
        column = _HEADER_LOOKUP.get(_header_key(text))
        if column and column not in mapping:
            mapping[column] = index
    return mapping


def parse_unit(text: str) -> str | None:
    key = " ".join(text.strip().lower().split())
    if not key:
        return ""
    unit = _UNIT_LOOKUP.get(key)
    return unit.value if unit else None


def sku_key(sku: str) -> str:
    """SKUs are matched in any letter case ("bb-000001" is BB-000001), Cyrillic included:
    compared in Python, since SQLite's lower() folds only ASCII."""
    return sku.strip().casefold()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")



def export_language(language: str | None) -> str:
    """The export's language for a page language ("ru", "kk", "en-us" → "en")."""
    code = (language or "en").split("-")[0].lower()
    return code if code in EXPORT_UNITS else "en"
