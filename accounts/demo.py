"""Demo accounts: one admin, two sellers, a cashier, five shoppers, with printed credentials."""

from decimal import Decimal

from .models import Role, User
from .services import wallet_for, wallet_post
from .models import WalletEntry

DEMO_PASSWORD = "bibarys-demo"
# What each demo shopper has to spend after the seeded history (orders.demo tops them back up).
WELCOME_BALANCE = Decimal("50000.00")

ACCOUNTS = [
    ("admin", Role.ADMIN, "Айгүл", "Сейітова", "+77011000001"),
    ("seller1", Role.SELLER, "Ерлан", "Нұрланов", "+77011000002"),
    ("seller2", Role.SELLER, "Марина", "Ковалёва", "+77011000003"),
    ("cashier1", Role.CASHIER, "Гүлнар", "Омарова", "+77011000004"),
    ("shopper1", Role.SHOPPER, "Дана", "Әбенова", "+77011000011"),
    ("shopper2", Role.SHOPPER, "Асхат", "Жұмабаев", "+77011000012"),
    ("shopper3", Role.SHOPPER, "Ольга", "Петрова", "+77011000013"),
    ("shopper4", Role.SHOPPER, "Нұрсұлтан", "Қасымов", "+77011000014"),
    ("shopper5", Role.SHOPPER, "Жанар", "Бекова", "+77011000015"),
]


def seed(context):
    for username, role, first, last, phone in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"role": role, "first_name": first, "last_name": last, "phone": phone,
                      "email": f"{username}@bibarys.kz",
                      "address": "Алматы, Абай даңғылы, 10" if role == Role.SHOPPER else ""},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if role == Role.ADMIN:
                user.is_superuser = True
            user.save()
        wallet = wallet_for(user)
        if role == Role.SHOPPER and not wallet.entries.exists():
            wallet_post(wallet=wallet, kind=WalletEntry.Kind.TOPUP, amount=WELCOME_BALANCE,
                        reason="Demo top-up", reference="demo:welcome")
        context.users[username] = user


def report(stdout):
    """The sign-in table `make run` ends with."""
    stdout.write("Demo accounts (password for all: %s):" % DEMO_PASSWORD)
    for username, role, *_rest in ACCOUNTS:
        stdout.write(f"  {role:8} {username}")
