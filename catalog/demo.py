"""Demo catalog: a realistic Almaty grocery store, each product named in Kazakh, Russian and
English (catalog.demo_names), prices in tenge,
valid EAN-13 barcodes and photos drawn with Pillow (no downloads).

- `seed(context)` makes the categories and `context.products` products (default 200) owned by
  seller1 and seller2, with zero stock (inventory.demo receives the goods). Up to BULK_FROM
  products are created one by one with photos; a benchmark catalog (`--products 100000`) is
  written with bulk_create in chunks, without photos, in well under a minute on SQLite.
- REVIEW_TEXTS are the words of the demo reviews, which orders.demo writes once the order
  history exists (a review needs a purchase).

Safe to run twice: categories are found by slug, products by SKU, reviews by (user, product)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from bibarys.money import money_round

from .models import Category, Product, ProductBarcode, ProductPhoto, WishlistItem
from .demo_names import DESCRIPTIONS_EN, EN, SIZES_EN

BULK_FROM = 1000
CHUNK = 2000
DEMO_PHOTO_DIR = "products/demo"  # shared drawn photos: services never delete files under it

# (slug, name, parent slug, seller username, colour, shape)
CATEGORIES = [
    ("dairy", "Сүт өнімдері / Молочные продукты", None, "seller1", (37, 99, 235), "carton"),
    ("milk-kefir", "Сүт, айран, кефир / Молоко, айран, кефир", "dairy", "seller1", (59, 130, 246), "carton"),
    ("cheese-curd", "Ірімшік, сүзбе / Сыр, творог", "dairy", "seller1", (234, 179, 8), "wedge"),
    ("bakery", "Нан және тоқаш / Хлеб и выпечка", None, "seller1", (180, 83, 9), "loaf"),
    ("meat", "Ет және құс / Мясо и птица", None, "seller1", (185, 28, 28), "steak"),
    ("fruit-veg", "Жеміс-көкөніс / Фрукты и овощи", None, "seller2", (22, 163, 74), "fruit"),
    ("drinks", "Сусындар / Напитки", None, "seller2", (8, 145, 178), "bottle"),
    ("groceries", "Бакалея / Бакалея", None, "seller2", (202, 138, 4), "bag"),
    ("sweets", "Тәттілер / Сладости", None, "seller2", (219, 39, 119), "candy"),
    ("household", "Тұрмыстық тауарлар / Бытовые товары", None, "seller2", (124, 58, 237), "spray"),
]

# category slug -> [(kk, ru, unit, price, [(size kk, size ru, price factor), ...])]
L = [("1 л", "1 л", 1), ("0,5 л", "0,5 л", Decimal("0.58"))]
CATALOG = {
    "milk-kefir": [
        ("Сүт 2,5%", "Молоко 2,5%", "pcs", 520, L),
        ("Сүт 3,2%", "Молоко 3,2%", "pcs", 560, L),
        ("Сүт 6%", "Молоко 6%", "pcs", 640, L[:1]),
        ("Айран 2%", "Айран 2%", "pcs", 480, L),
        ("Кефир 1%", "Кефир 1%", "pcs", 520, L),
        ("Кефир 3,2%", "Кефир 3,2%", "pcs", 590, L),
        ("Қатық", "Катык", "pcs", 610, L[:1]),
        ("Шұбат", "Шубат", "pcs", 1450, L),
        ("Қымыз", "Кумыс", "pcs", 1600, L),
        ("Ряженка 4%", "Ряженка 4%", "pcs", 620, L[:1]),
        ("Йогурт құлпынай 2,5% 300 г", "Йогурт клубничный 2,5% 300 г", "pcs", 450, None),
        ("Йогурт шабдалы 2,5% 300 г", "Йогурт персиковый 2,5% 300 г", "pcs", 450, None),
        ("Қаймақ 20% 400 г", "Сметана 20% 400 г", "pcs", 890, None),
        ("Қаймақ 15% 400 г", "Сметана 15% 400 г", "pcs", 820, None),
        ("Кілегей 10% 200 мл", "Сливки 10% 200 мл", "pcs", 420, None),
        ("Сары май 72,5% 180 г", "Масло сливочное 72,5% 180 г", "pcs", 1290, None),
        ("Сары май 82,5% 180 г", "Масло сливочное 82,5% 180 г", "pcs", 1490, None),
    ],
    "cheese-curd": [
        ("Ірімшік «Пармезан»", "Сыр «Пармезан»", "kg", 8900, None),
        ("Сулугуни", "Сулугуни", "kg", 4300, None),
        ("Сүзбе 0% 200 г", "Творог обезжиренный 200 г", "pcs", 520, None),
        ("Сүзбелі масса мейізбен 200 г", "Творожная масса с изюмом 200 г", "pcs", 560, None),
        ("Сүзбе 5% 400 г", "Творог 5% 400 г", "pcs", 990, None),
        ("Сүзбе 9% 400 г", "Творог 9% 400 г", "pcs", 1090, None),
        ("Ірімшік «Российский»", "Сыр «Российский»", "kg", 4200, None),
        ("Ірімшік «Голландский»", "Сыр «Голландский»", "kg", 4500, None),
        ("Брынза", "Брынза", "kg", 3200, None),
        ("Моцарелла 125 г", "Моцарелла 125 г", "pcs", 990, None),
        ("Балқытылған ірімшік 90 г", "Сыр плавленый 90 г", "pcs", 290, None),
        ("Құрт", "Курт", "kg", 6500, None),
        ("Ірімшік (қазақша)", "Иримшик", "kg", 5200, None),
        ("Сүзбелі глазурьленген сырок", "Сырок глазированный творожный", "pcs", 220, None),
    ],
    "bakery": [
        ("Жүгері наны", "Хлеб кукурузный", "pcs", 340, None),
        ("Дәнді нан", "Хлеб зерновой", "pcs", 390, None),
        ("Пирожок картоппен", "Пирожок с картофелем", "pcs", 160, None),
        ("Наполеон торты", "Торт «Наполеон»", "kg", 5400, None),
        ("Кекс мейізбен 300 г", "Кекс с изюмом 300 г", "pcs", 690, None),
        ("Бәліш (үй)", "Балиш домашний", "pcs", 1900, None),
        ("Ақ нан", "Хлеб белый", "pcs", 230, None),
        ("Бородин наны", "Хлеб Бородинский", "pcs", 320, None),
        ("Қара бидай наны", "Хлеб ржаной", "pcs", 280, None),
        ("Батон «Нарезной»", "Батон «Нарезной»", "pcs", 260, None),
        ("Багет", "Багет", "pcs", 350, None),
        ("Тандыр нан", "Лепёшка тандырная", "pcs", 250, None),
        ("Бауырсақ 500 г", "Баурсаки 500 г", "pcs", 900, None),
        ("Самса етпен", "Самса с мясом", "pcs", 450, None),
        ("Тоқаш кішмішпен", "Булочка с изюмом", "pcs", 180, None),
        ("Круассан шоколадпен", "Круассан с шоколадом", "pcs", 390, None),
        ("Сүзбелі ватрушка", "Ватрушка с творогом", "pcs", 260, None),
        ("Кептірілген нан", "Сухари", "kg", 1400, None),
        ("Лаваш", "Лаваш", "pcs", 210, None),
        ("Шәркей тоқаш", "Плюшка сахарная", "pcs", 170, None),
        ("Торт «Медовик»", "Торт «Медовик»", "kg", 5900, None),
        ("Печенье «Юбилейное» 112 г", "Печенье «Юбилейное» 112 г", "pcs", 310, None),
    ],
    "meat": [
        ("Сиыр бауыры", "Печень говяжья", "kg", 2200, None),
        ("Ысталған тауық", "Курица копчёная", "kg", 3100, None),
        ("Қой қабырғасы", "Рёбра бараньи", "kg", 3700, None),
        ("Шұжық «Салями»", "Колбаса «Салями»", "kg", 5900, None),
        ("Сиыр еті (сүйексіз)", "Говядина (мякоть)", "kg", 4200, None),
        ("Сиыр еті (сүйекті)", "Говядина на кости", "kg", 3300, None),
        ("Қой еті", "Баранина", "kg", 4500, None),
        ("Жылқы еті", "Конина", "kg", 4800, None),
        ("Қазы", "Казы", "kg", 9800, None),
        ("Шұжық «Доктор»", "Колбаса «Докторская»", "kg", 3900, None),
        ("Сервелат", "Сервелат", "kg", 5200, None),
        ("Тауық еті (тұтас)", "Курица (тушка)", "kg", 1750, None),
        ("Тауық төс еті", "Куриное филе", "kg", 2600, None),
        ("Тауық сирақтары", "Куриные голени", "kg", 1900, None),
        ("Тауық қанаттары", "Куриные крылья", "kg", 1700, None),
        ("Күркетауық еті", "Филе индейки", "kg", 3600, None),
        ("Тартылған сиыр еті", "Фарш говяжий", "kg", 3800, None),
        ("Манты (мұздатылған) 1 кг", "Манты замороженные 1 кг", "pcs", 2900, None),
        ("Тұшпара 1 кг", "Пельмени 1 кг", "pcs", 2600, None),
        ("Сосискалар 400 г", "Сосиски 400 г", "pcs", 1350, None),
        ("Тауық жұмыртқасы С1 10 дана", "Яйца куриные С1 10 шт", "pcs", 690, None),
        ("Тауық жұмыртқасы С0 10 дана", "Яйца куриные С0 10 шт", "pcs", 790, None),
    ],
    "fruit-veg": [
        ("Киви", "Киви", "kg", 1300, None),
        ("Анар", "Гранат", "kg", 1600, None),
        ("Авокадо", "Авокадо", "pcs", 590, None),
        ("Цукини", "Кабачки", "kg", 650, None),
        ("Жасыл пияз бауы", "Лук зелёный пучок", "pcs", 170, None),
        ("Құрма", "Финики", "kg", 2800, None),
        ("Алма «Апорт»", "Яблоки «Апорт»", "kg", 890, None),
        ("Алма «Гала»", "Яблоки «Гала»", "kg", 750, None),
        ("Алмұрт", "Груши", "kg", 990, None),
        ("Банан", "Бананы", "kg", 790, None),
        ("Апельсин", "Апельсины", "kg", 890, None),
        ("Мандарин", "Мандарины", "kg", 1100, None),
        ("Лимон", "Лимоны", "kg", 1300, None),
        ("Жүзім", "Виноград", "kg", 1500, None),
        ("Қарбыз", "Арбуз", "kg", 190, None),
        ("Қауын «Торпеда»", "Дыня «Торпеда»", "kg", 290, None),
        ("Өрік", "Абрикосы", "kg", 1200, None),
        ("Шабдалы", "Персики", "kg", 1400, None),
        ("Картоп", "Картофель", "kg", 240, None),
        ("Сәбіз", "Морковь", "kg", 210, None),
        ("Пияз", "Лук репчатый", "kg", 190, None),
        ("Қырыққабат", "Капуста", "kg", 180, None),
        ("Қызанақ", "Помидоры", "kg", 990, None),
        ("Қияр", "Огурцы", "kg", 790, None),
        ("Болгар бұрышы", "Перец болгарский", "kg", 1200, None),
        ("Баклажан", "Баклажаны", "kg", 850, None),
        ("Сарымсақ", "Чеснок", "kg", 1900, None),
        ("Қызылша", "Свёкла", "kg", 220, None),
        ("Аскөк бауы", "Укроп пучок", "pcs", 150, None),
        ("Ақжелкен бауы", "Петрушка пучок", "pcs", 150, None),
        ("Саңырауқұлақ (шампиньон)", "Шампиньоны", "kg", 1800, None),
        ("Кептірілген өрік (курага)", "Курага", "kg", 3200, None),
        ("Мейіз", "Изюм", "kg", 2400, None),
        ("Грек жаңғағы", "Грецкий орех", "kg", 3900, None),
    ],
    "drinks": [
        ("Энергетикалық сусын 0,45 л", "Энергетический напиток 0,45 л", "pcs", 550, None),
        ("Морс (мүкжидек)", "Морс клюквенный", "pcs", 720, L[:1]),
        ("Какао ұнтағы 100 г", "Какао-порошок 100 г", "pcs", 890, None),
        ("Тоник 1 л", "Тоник 1 л", "pcs", 520, None),
        ("Газсыз су", "Вода негазированная", "pcs", 250, [("1,5 л", "1,5 л", 1), ("0,5 л", "0,5 л", Decimal("0.6"))]),
        ("Газдалған минералды су «Сарыағаш»", "Минеральная вода «Сарыагаш»", "pcs", 320, [("1 л", "1 л", 1), ("0,5 л", "0,5 л", Decimal("0.65"))]),
        ("Алма шырыны", "Сок яблочный", "pcs", 690, L[:1]),
        ("Апельсин шырыны", "Сок апельсиновый", "pcs", 790, L[:1]),
        ("Шабдалы нектары", "Нектар персиковый", "pcs", 650, L[:1]),
        ("Кока-Кола", "Кока-Кола", "pcs", 590, [("1 л", "1 л", 1), ("0,5 л", "0,5 л", Decimal("0.7"))]),
        ("Лимонад «Тархун»", "Лимонад «Тархун»", "pcs", 450, L[:1]),
        ("Мұздатылған шай лимонмен", "Холодный чай с лимоном", "pcs", 480, L[:1]),
        ("Қара шай «Пиала» 100 пакет", "Чай чёрный «Пиала» 100 пакетиков", "pcs", 1690, None),
        ("Қара шай «Алтын» 250 г", "Чай чёрный «Алтын» 250 г", "pcs", 1290, None),
        ("Көк шай 100 г", "Чай зелёный 100 г", "pcs", 990, None),
        ("Ерігіш кофе 95 г", "Кофе растворимый 95 г", "pcs", 2890, None),
        ("Дәнді кофе 250 г", "Кофе в зёрнах 250 г", "pcs", 3490, None),
        ("Компот (жеміс)", "Компот фруктовый", "pcs", 560, L[:1]),
        ("Квас «Ақ бидай»", "Квас «Ак бидай»", "pcs", 420, [("1,5 л", "1,5 л", 1)]),
    ],
    "groceries": [
        ("Бидай жармасы 800 г", "Крупа пшеничная 800 г", "pcs", 380, None),
        ("Манна жармасы 800 г", "Манная крупа 800 г", "pcs", 420, None),
        ("Кетчуп 350 г", "Кетчуп 350 г", "pcs", 690, None),
        ("Сүт қоюлатылған 380 г", "Сгущённое молоко 380 г", "pcs", 790, None),
        ("Күріш «Лазер» 1 кг", "Рис «Лазер» 1 кг", "pcs", 720, None),
        ("Күріш (салмақпен)", "Рис развесной", "kg", 650, None),
        ("Қарақұмық 900 г", "Гречка 900 г", "pcs", 690, None),
        ("Сұлы жармасы 500 г", "Овсяные хлопья 500 г", "pcs", 420, None),
        ("Ұн жоғары сорт 2 кг", "Мука высший сорт 2 кг", "pcs", 790, None),
        ("Ұн жоғары сорт (салмақпен)", "Мука высший сорт развесная", "kg", 330, None),
        ("Қант 1 кг", "Сахар 1 кг", "pcs", 560, None),
        ("Қант (салмақпен)", "Сахар развесной", "kg", 490, None),
        ("Ас тұзы 1 кг", "Соль поваренная 1 кг", "pcs", 150, None),
        ("Макарон «Спагетти» 400 г", "Макароны «Спагетти» 400 г", "pcs", 390, None),
        ("Кеспе (үй кеспесі) 500 г", "Лапша домашняя 500 г", "pcs", 450, None),
        ("Күнбағыс майы 1 л", "Масло подсолнечное 1 л", "pcs", 990, None),
        ("Зәйтүн майы 0,5 л", "Масло оливковое 0,5 л", "pcs", 3490, None),
        ("Томат пастасы 270 г", "Томатная паста 270 г", "pcs", 490, None),
        ("Майонез 67% 400 г", "Майонез 67% 400 г", "pcs", 790, None),
        ("Бұршақ консервісі 400 г", "Фасоль консервированная 400 г", "pcs", 560, None),
        ("Жасыл бұршақ 400 г", "Горошек зелёный 400 г", "pcs", 520, None),
        ("Тұшпа ет (сиыр) 338 г", "Тушёнка говяжья 338 г", "pcs", 1590, None),
        ("Шпроттар 160 г", "Шпроты 160 г", "pcs", 890, None),
        ("Бал 500 г", "Мёд 500 г", "pcs", 2490, None),
        ("Құлпынай тосабы 350 г", "Варенье клубничное 350 г", "pcs", 990, None),
        ("Қара бұрыш (ұнтақ) 50 г", "Перец чёрный молотый 50 г", "pcs", 290, None),
        ("Асқабақ тұқымы", "Семечки тыквенные", "kg", 2900, None),
        ("Күнбағыс тұқымы 200 г", "Семечки подсолнечные 200 г", "pcs", 350, None),
        ("Жасымық 800 г", "Чечевица 800 г", "pcs", 780, None),
    ],
    "sweets": [
        ("Ирис кәмпиттері", "Конфеты-ирис", "kg", 2200, None),
        ("Мармелад 300 г", "Мармелад 300 г", "pcs", 650, None),
        ("Шоколадты паста 350 г", "Шоколадная паста 350 г", "pcs", 1690, None),
        ("Рахат кәмпиттер жиынтығы", "Конфеты «Рахат» ассорти", "kg", 4200, None),
        ("Торт «Прага» 600 г", "Торт «Прага» 600 г", "pcs", 3900, None),
        ("Сүтті шоколад «Рахат» 100 г", "Шоколад молочный «Рахат» 100 г", "pcs", 590, None),
        ("Қара шоколад «Қазақстан» 100 г", "Шоколад тёмный «Казахстан» 100 г", "pcs", 650, None),
        ("Кәмпит «Құс сүті»", "Конфеты «Птичье молоко»", "kg", 3900, None),
        ("Кәмпит «Маска»", "Конфеты «Маска»", "kg", 3600, None),
        ("Зефир 250 г", "Зефир 250 г", "pcs", 690, None),
        ("Пастила 200 г", "Пастила 200 г", "pcs", 750, None),
        ("Вафли «Артек» 200 г", "Вафли «Артек» 200 г", "pcs", 420, None),
        ("Пряниктер", "Пряники", "kg", 1500, None),
        ("Шоколадты батончик 50 г", "Шоколадный батончик 50 г", "pcs", 290, None),
        ("Жаңғақты хальва", "Халва с орехами", "kg", 2300, None),
        ("Шәкерпаре", "Чак-чак", "kg", 3400, None),
        ("Балмұздақ пломбир 80 г", "Мороженое пломбир 80 г", "pcs", 260, None),
    ],
    "household": [
        ("Еден жуғыш құрал 1 л", "Средство для мытья полов 1 л", "pcs", 1190, None),
        ("Кондиционер-шайғыш 1 л", "Кондиционер для белья 1 л", "pcs", 1490, None),
        ("Фольга 10 м", "Фольга 10 м", "pcs", 790, None),
        ("Полиэтилен пакеттер 100 дана", "Пакеты фасовочные 100 шт", "pcs", 450, None),
        ("Батарейкалар АА 4 дана", "Батарейки АА 4 шт", "pcs", 1290, None),
        ("Тіс щеткасы", "Зубная щётка", "pcs", 590, None),
        ("Ыдыс жуғыш сұйықтық 500 мл", "Средство для мытья посуды 500 мл", "pcs", 890, None),
        ("Кір жуғыш ұнтақ 3 кг", "Стиральный порошок 3 кг", "pcs", 3490, None),
        ("Кір жуғыш гель 1,5 л", "Гель для стирки 1,5 л", "pcs", 2990, None),
        ("Дәретхана қағазы 8 орам", "Туалетная бумага 8 рулонов", "pcs", 1490, None),
        ("Қағаз сүлгі 2 орам", "Бумажные полотенца 2 рулона", "pcs", 890, None),
        ("Сұйық сабын 500 мл", "Жидкое мыло 500 мл", "pcs", 790, None),
        ("Қатты сабын 100 г", "Мыло туалетное 100 г", "pcs", 250, None),
        ("Тіс пастасы 100 мл", "Зубная паста 100 мл", "pcs", 990, None),
        ("Шампунь 400 мл", "Шампунь 400 мл", "pcs", 1890, None),
        ("Қоқыс қаптары 60 л 20 дана", "Мешки для мусора 60 л 20 шт", "pcs", 690, None),
        ("Губкалар 5 дана", "Губки для посуды 5 шт", "pcs", 390, None),
        ("Ақартқыш 1 л", "Отбеливатель 1 л", "pcs", 590, None),
        ("Әйнек тазалағыш 500 мл", "Средство для стёкол 500 мл", "pcs", 990, None),
        ("Сіріңке 10 қорап", "Спички 10 коробков", "pcs", 200, None),
        ("Ылғалды майлықтар 72 дана", "Влажные салфетки 72 шт", "pcs", 690, None),
    ],
}

DESCRIPTIONS = {
    "milk-kefir": "Жергілікті фермалардың табиғи сүтінен. / Из натурального молока местных ферм.",
    "cheese-curd": "Салқын жерде +2…+6 °C сақтаңыз. / Хранить при +2…+6 °C.",
    "bakery": "Күн сайын таңертең пісіріледі. / Выпекается каждое утро.",
    "meat": "Салқындатылған, ветеринарлық бақылаудан өткен. / Охлаждённое, прошло ветеринарный контроль.",
    "fruit-veg": "Салмақпен сатылады: қалаған мөлшерді таңдаңыз. / Продаётся на вес: выберите нужное количество.",
    "drinks": "Салқындатып ішкен дұрыс. / Лучше подавать охлаждённым.",
    "groceries": "Құрғақ, салқын жерде сақтаңыз. / Хранить в сухом прохладном месте.",
    "sweets": "Шай дастарқанына арналған. / К чаю для всей семьи.",
    "household": "Балалардың қолы жетпейтін жерде сақтаңыз. / Хранить в недоступном для детей месте.",
}

REVIEW_TEXTS = {
    5: ["Өте дәмді, тағы аламын!", "Отличное качество, всегда свежее.", "Керемет, баршаға ұсынамын.",
        "Беру постоянно, ни разу не подвёл.", ""],
    4: ["Жақсы, бірақ бағасы сәл қымбат.", "Хорошо, но хотелось бы упаковку побольше.",
        "Сапасы жақсы.", "В целом доволен.", ""],
    3: ["Орташа.", "Нормально, но бывало и лучше.", "Бағасына сай."],
    2: ["Бұл жолы онша емес.", "Пришло почти с истекающим сроком."],
    1: ["Ұнамады.", "Не понравилось, больше не возьму."],
}


def _ean13(body12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def _money(value) -> Decimal:
    return money_round(value)


def _templates():
    """Every product the store sells, in a fixed order: (category slug, (kk, ru, en), unit,
    price)."""
    rows = []
    for slug, items in CATALOG.items():
        for kk, ru, unit, price, sizes in items:
            en = EN[ru]
            if not sizes:
                rows.append((slug, (kk, ru, en), unit, _money(price)))
                continue
            for size_kk, size_ru, factor in sizes:
                rows.append((slug, (f"{kk} {size_kk}", f"{ru} {size_ru}",
                                    f"{en} {SIZES_EN[size_ru]}"),
                             unit, _money(Decimal(price) * Decimal(factor))))
    return rows


def _descriptions(slug: str, parent: str | None = None) -> dict:
    """The product fields of a category's description, in kk, ru and en."""
    key = slug if slug in DESCRIPTIONS else (parent or "")
    kk, _sep, ru = DESCRIPTIONS.get(key, "").partition(" / ")
    return {"description": kk, "description_ru": ru,
            "description_en": DESCRIPTIONS_EN.get(key, "")}


def _categories() -> dict[str, Category]:
    found = {c.slug: c for c in Category.objects.filter(slug__in=[c[0] for c in CATEGORIES])}
    for position, (slug, name, parent, *_rest) in enumerate(CATEGORIES):
        if slug not in found:
            found[slug] = Category.objects.create(
                slug=slug, name=name, position=position,
                parent=found.get(parent) if parent else None)
    return found


def _sellers(context) -> dict[str, User]:
    sellers = {}
    for username in ("seller1", "seller2"):
        user = context.users.get(username) or User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.filter(role="seller").order_by("pk").first()
        sellers[username] = user
    return sellers


def _threshold(unit: str) -> Decimal:
    return Decimal("3.000") if unit == "kg" else Decimal("5") if unit == "pcs" else Decimal("4")


# Photos -----------------------------------------------------------------------------------------


def _font(size):
    from PIL import ImageFont

    for path in (Path(settings.BASE_DIR) / "static/fonts/DejaVuSans-Bold.ttf",
                 Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")):
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _draw(shape: str, colour: tuple, letter: str, variant: int):
    """A 640×640 shop tile: a soft background, the category's shape and the product's initial."""
    from PIL import Image, ImageDraw

    side = 640
    r, g, b = colour
    light = tuple(int(c + (255 - c) * (0.86 - variant * 0.03)) for c in colour)
    image = Image.new("RGB", (side, side), light)
    draw = ImageDraw.Draw(image)
    deep = (int(r * .85), int(g * .85), int(b * .85))
    draw.ellipse((-120, 420, 300, 840), fill=tuple(min(255, c + 12) for c in light))
    draw.ellipse((420, -140, 780, 220), fill=tuple(max(0, c - 10) for c in light))
    c = side // 2
    if shape == "carton":
        draw.polygon([(c - 110, 230), (c - 60, 150), (c + 60, 150), (c + 110, 230)], fill=deep)
        draw.rounded_rectangle((c - 110, 230, c + 110, 520), 16, fill=colour)
        draw.rectangle((c - 110, 300, c + 110, 380), fill=(255, 255, 255))
    elif shape == "wedge":
        draw.polygon([(c - 170, 470), (c + 170, 470), (c + 170, 260), (c - 170, 380)], fill=colour)
        for x, y, rad in ((c - 60, 420, 22), (c + 60, 370, 30), (c + 120, 430, 16)):
            draw.ellipse((x - rad, y - rad, x + rad, y + rad), fill=light)
    elif shape == "loaf":
        draw.rounded_rectangle((c - 190, 250, c + 190, 470), 110, fill=colour)
        for dx in (-90, 0, 90):
            draw.line((c + dx - 30, 290, c + dx + 30, 360), fill=deep, width=14)
    elif shape == "steak":
        draw.ellipse((c - 190, 220, c + 170, 480), fill=colour)
        draw.ellipse((c + 60, 300, c + 150, 390), fill=(255, 240, 235))
        draw.ellipse((c + 85, 325, c + 125, 365), fill=deep)
    elif shape == "fruit":
        draw.ellipse((c - 150, 210, c + 150, 510), fill=colour)
        draw.ellipse((c + 10, 150, c + 110, 220), fill=(34, 197, 94))
        draw.line((c, 215, c - 10, 160), fill=(120, 72, 20), width=12)
    elif shape == "bottle":
        draw.rounded_rectangle((c - 36, 110, c + 36, 190), 10, fill=deep)
        draw.rounded_rectangle((c - 95, 180, c + 95, 540), 40, fill=colour)
        draw.rectangle((c - 95, 300, c + 95, 400), fill=(255, 255, 255))
    elif shape == "bag":
        draw.rounded_rectangle((c - 150, 200, c + 150, 520), 30, fill=colour)
        draw.polygon([(c - 150, 230), (c - 110, 160), (c + 110, 160), (c + 150, 230)], fill=deep)
    elif shape == "candy":
        draw.polygon([(c - 210, 270), (c - 120, 340), (c - 210, 410)], fill=deep)
        draw.polygon([(c + 210, 270), (c + 120, 340), (c + 210, 410)], fill=deep)
        draw.ellipse((c - 130, 250, c + 130, 430), fill=colour)
    else:  # spray
        draw.rounded_rectangle((c - 90, 240, c + 90, 540), 30, fill=colour)
        draw.rectangle((c - 30, 170, c + 30, 240), fill=deep)
        draw.polygon([(c - 30, 170), (c - 110, 150), (c - 110, 190), (c - 30, 200)], fill=deep)
    # The product's initial on a round label in the corner, like a shelf sticker.
    bx, by, rad = 512, 512, 82
    draw.ellipse((bx - rad + 5, by - rad + 7, bx + rad + 5, by + rad + 7), fill=deep)
    draw.ellipse((bx - rad, by - rad, bx + rad, by + rad), fill=(255, 255, 255))
    font = _font(96)
    box = draw.textbbox((0, 0), letter, font=font)
    w, h = box[2] - box[0], box[3] - box[1]
    draw.text((bx - w // 2 - box[0], by - h // 2 - box[1]), letter, font=font, fill=deep)
    return image


def _photo_files(key: str, shape: str, colour: tuple, letter: str, variant: int) -> tuple[str, str]:
    """The shared files of one drawn tile (written once, reused by every product with the key)."""
    image_name = f"{DEMO_PHOTO_DIR}/{key}.jpg"
    thumb_name = f"{DEMO_PHOTO_DIR}/{key}_thumb.jpg"
    if not default_storage.exists(image_name):
        picture = _draw(shape, colour, letter, variant)
        for name, size in ((image_name, None), (thumb_name, 400)):
            copy = picture if size is None else picture.resize((size, size))
            buffer = io.BytesIO()
            copy.save(buffer, format="JPEG", quality=82, optimize=True)
            if default_storage.exists(name):
                default_storage.delete(name)
            default_storage.save(name, io.BytesIO(buffer.getvalue()))
    return image_name, thumb_name


# Products ---------------------------------------------------------------------------------------


def seed(context):
    out = context.stdout
    categories = _categories()
    sellers = _sellers(context)
    if None in sellers.values():
        out.write("Catalog: no seller accounts, skipped.")
        return
    wanted = max(0, int(getattr(context, "products", 200) or 0))
    if wanted > BULK_FROM:
        created = _seed_bulk(context, wanted, categories, sellers)
    else:
        created = _seed_small(context, wanted, categories, sellers)
    _seed_wishlists(context)
    from .selectors import bump_catalog_version

    bump_catalog_version()
    out.write(f"Catalog: {len(categories)} categories, {created} new products "
              f"({Product.objects.count()} in all).")


def _spec(index: int, templates):
    """The index-th product of the demo: a template, and a series number once they run out."""
    slug, names, unit, price = templates[index % len(templates)]
    series = index // len(templates)
    if series:
        names = tuple(f"{name} · {series + 1}" for name in names)
    return slug, names, unit, price


def _names(names) -> dict:
    kk, ru, en = names
    return {"name": kk, "name_ru": ru, "name_en": en}


def _category_meta(slug):
    for row in CATEGORIES:
        if row[0] == slug:
            return row
    raise KeyError(slug)


def _seed_small(context, wanted, categories, sellers) -> int:
    rng = context.rng
    templates = _templates()
    existing = set(Product.objects.filter(sku__startswith="BB-").values_list("sku", flat=True))
    now = timezone.now()
    created = []
    for index in range(wanted):
        sku = f"BB-{index + 1:06d}"
        if sku in existing:
            continue
        slug, names, unit, price = _spec(index, templates)
        name = names[0]
        _cat_slug, _name, _parent, seller_name, colour, shape = _category_meta(slug)
        product = Product.objects.create(
            **_names(names), slug=_product_slug(names, sku), **_descriptions(slug, _parent),
            category=categories[slug], seller=sellers[seller_name], unit=unit, price=price,
            cost_price=_money(price * Decimal("0.72")), low_stock_threshold=_threshold(unit),
            sku=sku)
        ProductBarcode.objects.create(product=product, code=_ean13(f"4870{index + 1:08d}"))
        letter = next((ch for ch in name if ch.isalnum()), "?").upper()
        variant = sum(map(ord, name)) % 4
        key = f"v2-{shape}-{ord(letter):x}-{variant}"
        image_name, thumb_name = _photo_files(key, shape, colour, letter, variant)
        ProductPhoto.objects.create(product=product, image=image_name, thumbnail=thumb_name,
                                    width=640, height=640, position=0, is_main=True)
        product.created_at = now - datetime.timedelta(days=rng.randint(0, 120),
                                                      minutes=rng.randint(0, 1440))
        created.append(product)
    Product.objects.bulk_update(created, ["created_at"], batch_size=500)
    return len(created)


def _product_slug(names, sku: str) -> str:
    return f"{slugify(names[1], allow_unicode=True)[:150]}-{sku.lower()}"  # from the ru name


def _seed_bulk(context, wanted, categories, sellers) -> int:
    """A benchmark catalog: bulk_create in chunks, no photos, zero stock."""
    out = context.stdout
    templates = _templates()
    existing = set(Product.objects.filter(sku__startswith="BB-").values_list("sku", flat=True))
    made = 0
    for start in range(0, wanted, CHUNK):
        batch, codes = [], []
        for index in range(start, min(start + CHUNK, wanted)):
            sku = f"BB-{index + 1:06d}"
            if sku in existing:
                continue
            slug, names, unit, price = _spec(index, templates)
            seller_name = _category_meta(slug)[3]
            batch.append(Product(
                **_names(names), slug=_product_slug(names, sku), category=categories[slug],
                seller=sellers[seller_name], unit=unit, price=price,
                cost_price=_money(price * Decimal("0.72")), low_stock_threshold=_threshold(unit),
                sku=sku, **_descriptions(slug)))
            codes.append((sku, _ean13(f"4870{index + 1:08d}")))
        if not batch:
            continue
        Product.objects.bulk_create(batch, batch_size=500)
        ids = dict(Product.objects.filter(sku__in=[sku for sku, _code in codes]).values_list(
            "sku", "pk"))
        ProductBarcode.objects.bulk_create(
            [ProductBarcode(product_id=ids[sku], code=code) for sku, code in codes],
            batch_size=1000, ignore_conflicts=True)
        made += len(batch)
        if (start // CHUNK) % 10 == 9:
            out.write(f"  catalog: {start + CHUNK} products…")
    return made


def _seed_wishlists(context) -> None:
    """A few products in each demo shopper's wishlist (kept if already there)."""
    shoppers = User.objects.filter(role="shopper", username__startswith="shopper").order_by("pk")
    pool = list(Product.objects.filter(sku__startswith="BB-").order_by("sku")
                .values_list("pk", flat=True)[:400])
    if not pool:
        return
    items = []
    for shopper in shoppers:
        for product_id in context.rng.sample(pool, min(4, len(pool))):
            items.append(WishlistItem(user=shopper, product_id=product_id))
    WishlistItem.objects.bulk_create(items, ignore_conflicts=True)
