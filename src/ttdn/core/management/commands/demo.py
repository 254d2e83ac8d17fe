from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ttdn.core.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo province (Tuyên Quang), its agencies, demo users and a demo plan."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load_demo(progress=lambda msg: self.stdout.write(f"  • {msg}"))
        self.stdout.write(self.style.SUCCESS("Dữ liệu trình diễn đã sẵn sàng / demo ready."))
        self.stdout.write(
            f"Tài khoản trình diễn / demo logins (mật khẩu / password: {DEMO_PASSWORD}):"
        )
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.role:<24} {login.organisation}")
