from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sectorwise.accounts"
    label = "accounts"
    verbose_name = "Accounts"
