# Seed post 05-production-guide.txt, section "2. Centralized Configuration" (sample 1).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
# core/config.py
from pydantic_settings import BaseSettings
class Settings(BaseSettings):
    github_token: str
    github_api_url: str = "https://api.github.com"
    stripe_key: str
    stripe_api_url: str = "https://api.stripe.com/v1"
settings = Settings()
