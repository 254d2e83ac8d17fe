from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ttdn.core.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo province (Tuyên Quang), its agencies, demo users, a demo plan and a "
        "recorded press corpus run through the monitoring pipeline. `ttdn demo monitor` loads "
        "only the press-monitoring part (and the province first if it is missing); "
        "`ttdn demo national [options]` generates the national dataset instead "
        "(see `ttdn demo_national --help`)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "what", nargs="?", choices=["province", "national", "monitor"], default="province"
        )
        parser.add_argument("rest", nargs="*", help="options passed to demo_national")

    def run_from_argv(self, argv: list[str]) -> None:
        # "ttdn demo national --provinces 2 …": hand everything after "national" over
        if len(argv) > 2 and argv[2] == "national":
            from django.core.management import call_command

            self._setup_and_call(call_command, argv[3:])
            return
        super().run_from_argv(argv)

    @staticmethod
    def _setup_and_call(call_command: Any, rest: list[str]) -> None:
        import django

        django.setup()
        from django.core.management import ManagementUtility

        ManagementUtility(["ttdn", "demo_national", *rest]).execute()

    def handle(self, *args: Any, **options: Any) -> None:
        from ttdn.monitoring.demo import load_demo_monitoring, province_demo_loaded

        def progress(msg: str) -> None:
            self.stdout.write(f"  • {msg}")

        if options["what"] == "monitor":
            if not province_demo_loaded():
                load_demo(progress=progress)
            load_demo_monitoring(stdout=self.stdout)
            self.stdout.write(self.style.SUCCESS("Giám sát báo chí trình diễn / press demo ready."))
            return
        logins = load_demo(progress=progress)
        load_demo_monitoring(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Dữ liệu trình diễn đã sẵn sàng / demo ready."))
        self.stdout.write(
            f"Tài khoản trình diễn / demo logins (mật khẩu / password: {DEMO_PASSWORD}):"
        )
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.role:<24} {login.organisation}")
