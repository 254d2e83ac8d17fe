"""Benchmark press search (``ttdn.monitoring.search``) on a generated corpus, beside its floor.

Usage:
    python bench/monitor_search.py [--engine sqlite|postgres|both] [--n 1000000] [--reps 40]
                                   [--keep] [--reuse]

``run(engine, n)`` (what ``bench/monitor.py`` calls) builds a database of its own — a
temporary SQLite file, or the PostgreSQL database ``ttdn_bench_search`` on the server of
``TTDN_BENCH_PG`` (default ``postgres://postgres@127.0.0.1:5432``), created and dropped
here — migrates it, writes ``n`` items straight into ``monitoring_item`` and the search
index with bulk SQL, and times each query type in a child process (so that the caller's
Django settings and database are untouched).

The corpus: Vietnamese (72 %: news vocabulary with diacritics and đ, one article in ten
typed without diacritics), English (20 %) and Chinese (8 %) items over three years, with
the topic, province, sentiment, source, story and kind distributions of a monitoring feed.

For each query type, ``--reps`` repetitions with varied terms: the application's
``search()`` (count and page, as the list view asks) beside the *floor*: the same
full-text query in plain SQL on the raw connection, with no application code — the newest
20 matches and the same bounded count for list-view types; for ranked types the top 20 by
bm25 / ts_rank over all matches. Each repetition first calls ``search()`` once untimed for
the ratio ("cold": the first query of a term reads pages no earlier query read; reported
apart), then times both warm, in alternating order. Reported: p50 and p95 in milliseconds
and app/floor. The last line printed is one JSON object; ``search_p95_ms_<engine>`` is
the worst list-view p95 and ``search_floor_p95_ms_<engine>`` the floor of that query type
(likewise ``ranked_*``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("TTDN_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = "ttdn_bench_search"
END = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
YEARS = 3

# --- vocabulary ------------------------------------------------------------------------------


# Vietnamese news words, roughly by frequency (function words and common compounds first).
def _split(text: str) -> list[str]:
    """Word lists are kept as text: easier to read and to extend than list literals."""
    return text.split()


VI_TEXT = """của và các có được trong là cho với những đã này một người không đến năm tại
về từ theo cũng như khi để đồng nhiều sẽ trên ra thông_tin phát_triển tỉnh thành_phố
kinh_tế xã_hội chính_phủ nhà_nước quốc_tế hợp_tác đầu_tư dự_án đối_ngoại đại_biểu hội_nghị
lãnh_đạo đoàn công_tác việc đề_nghị tổ_chức hoạt_động chương_trình địa_phương cơ_quan
doanh_nghiệp người_dân tuyên_truyền báo_chí phóng_viên du_lịch văn_hóa biên_giới biển_đảo
an_ninh quốc_phòng môi_trường nông_nghiệp công_nghiệp giáo_dục y_tế khoa_học công_nghệ
ngoại_giao đại_sứ hữu_nghị truyền_thống lịch_sử điều_kiện đảm_bảo đẩy_mạnh tăng_cường
triển_khai thực_hiện kế_hoạch nhiệm_vụ giải_pháp kết_quả chỉ_đạo ủy_ban nhân_dân sở
ban ngành huyện xã thôn bản đồng_bào dân_tộc thiểu_số miền_núi vùng_cao đường giao_thông
cửa_khẩu thương_mại xuất_khẩu nhập_khẩu hàng_hóa thị_trường giá sản_phẩm sản_xuất lao_động
việc_làm thu_nhập đời_sống an_sinh chính_sách pháp_luật quy_định xử_lý vi_phạm sai_sự_thật
mạng_xã_hội bài_viết dư_luận phản_ánh đính_chính phát_ngôn họp_báo khẳng_định cho_biết
theo_đó bên_cạnh đồng_thời ngoài_ra tuy_nhiên đặc_biệt quan_trọng mới đầu_tiên lớn nhỏ cao
thấp mạnh nhanh tốt trung_ương quốc_hội bộ thủ_tướng chủ_tịch bí_thư tổng_bí_thư đảng
đại_hội nghị_quyết chiến_lược tầm_nhìn bền_vững xanh số chuyển_đổi_số trực_tuyến điện_tử
đất đai rừng sông núi biển đảo cảng sân_bay cầu hầm điện nước lúa gạo cà_phê hồ_tiêu cao_su
thủy_sản tôm cá trái_cây sầu_riêng thanh_long vải xoài khách du_khách lễ_hội di_sản
di_tích danh_thắng đèo hang_động thác ruộng_bậc_thang homestay đặc_sản ẩm_thực chợ phiên
mùa xuân hạ thu đông tháng ngày tuần sáng chiều tối hôm_nay hôm_qua vừa_qua sắp_tới
đang đi về đặt được_biết động_viên đông_đảo đông_đúc đồng_ý đồng_chí đồng_hành đồng_tiền
đồng_bằng đông_nam_á đông_bắc động_đất động_lực đóng_góp đóng_cửa dòng_chảy dòng_sông
dòng_vốn dong_dỏng đại_diện đại_học đại_dịch đạt được_đánh_giá đánh_giá đào_tạo đột_phá
đầu_mối đấu_tranh địa_bàn điều_tra điểm đến đi_lại định_hướng đoàn_kết đội đường_dây
"""
VI_WORDS = [w.replace("_", " ") for w in _split(VI_TEXT)]

PROVINCES = """Tuyên Quang|Lào Cai|Thái Nguyên|Phú Thọ|Bắc Ninh|Hưng Yên|Hải Phòng|Ninh Bình|
Quảng Trị|Đà Nẵng|Quảng Ngãi|Gia Lai|Khánh Hòa|Lâm Đồng|Đắk Lắk|Hồ Chí Minh|Đồng Nai|
Tây Ninh|Cần Thơ|Vĩnh Long|Đồng Tháp|Cà Mau|An Giang|Hà Nội|Huế|Lai Châu|Điện Biên|
Sơn La|Lạng Sơn|Quảng Ninh|Thanh Hóa|Nghệ An|Hà Tĩnh|Cao Bằng""".replace("\n", "").split("|")

EN_WORDS = """the of and to in a for on that is with said by as at from was province
vietnam vietnamese government officials border trade tourism investment foreign minister
ministry local people visit cooperation development economic project projects market
export exports company companies year years new first authorities police news report
reported according statement press conference information false claims social media
online posts video culture festival heritage highland mountain river sea island islands
security defense relations embassy ambassador delegation meeting agreement summit
partnership growth billion million percent infrastructure road bridge airport port
railway energy power solar wind climate flood floods storm typhoon landslide rain
drought farmers rice coffee durian fruit seafood fishing workers jobs labor wages
prices inflation bank banks credit loans property real estate land factory factories
manufacturing electronics textile garment supply chain china chinese japan korea united
states europe european asean asia pacific regional national international global
president prime party congress assembly law laws rules decree policy policies reform
education health hospital school students university science technology digital data
internet startup innovation environment forest pollution waste water clean green
sustainable transition visitors tourists travel hotel resort homestay cuisine market
"""

ZH_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点"
    "从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原"
    "又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革"
    "位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指越南云河"
    "口岸贸易旅游投资合作边境省市县州昆明老街河内外交部长会谈经济发展项目企业市场出口进口商品价格"
)


def _syllables(rng: random.Random, n: int) -> list[str]:
    """Vietnamese-looking syllables with tone marks: the long tail of the vocabulary."""
    onsets = _split("b c ch d đ g gi h k kh l m n ng nh p ph qu r s t th tr v x")
    rhymes = _split(
        "a ai ao an ang anh at ac ach am ap ăn ăng ăt ăc âm ân âng ât âu ây e em en eo et ec "
        "ê êm ên ênh êt êch êu i ia im in inh it ich iu iêm iên iêng iêt iêu o oa oai oan oang "
        "oanh oat oac oe oi om on ong ot oc ô ôi ôm ôn ông ôt ôc ơ ơi ơm ơn ơt u ua uân uât uê "
        "uy uyên uyêt ui um un ung ut uc uôi uôn uông uôt uôc ư ưa ưi ưng ưu ươi ươm ươn ương "
        "ươt ươc"
    )
    tones = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
    marked = "ăâêôơư"
    out: set[str] = set()
    while len(out) < n:
        rhyme = rng.choice(rhymes)
        tone = rng.choice(tones)
        if tone:
            idx = max((i for i, ch in enumerate(rhyme) if ch in marked), default=-1)
            if idx < 0:
                vowels = [i for i, ch in enumerate(rhyme) if ch in "aeiouy"]
                ends_open = rhyme[-1] in "aeiouy"
                idx = vowels[0] if ends_open and len(vowels) > 1 else vowels[-1]
            rhyme = unicodedata.normalize("NFC", rhyme[: idx + 1] + tone + rhyme[idx + 1 :])
        out.add(rng.choice(onsets) + rhyme)
    return sorted(out)


def _zipf(n: int, s: float = 1.0) -> Any:
    import numpy as np

    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


TOPICS = [
    "doi_ngoai", "kinh_te", "du_lich", "van_hoa", "bien_dao", "bien_gioi", "an_ninh",
    "moi_truong", "thien_tai", "y_te", "giao_duc", "cong_nghe", "nong_nghiep", "dau_tu",
    "lao_dong", "ton_giao", "dan_toc", "ngoai_giao", "thuong_mai", "xa_hoi",
]  # fmt: skip


class Corpus:
    """Word entries with their display, folded and exact forms, and the query pools."""

    def __init__(self, seed: int) -> None:
        from ttdn.monitoring.search.terms import exact_tokens, search_fold, tokens

        rng = random.Random(seed)
        tail = _syllables(rng, 4000)
        self.vi = list(dict.fromkeys(VI_WORDS + PROVINCES + tail))
        self.en = list(dict.fromkeys(_split(EN_WORDS) + [search_fold(p) for p in PROVINCES]))
        self.en += [rng.choice(["", "re", "un", "pro"]) + search_fold(s) + "s" for s in tail[:3000]]
        self.zh = list(dict.fromkeys(ZH_CHARS))
        # rare words: ~20 items each at a million items
        self.rare = [search_fold(a + b) for a, b in zip(tail[::2], tail[1::2], strict=False)]
        self.rare += [search_fold(a + b + "x") for a, b in zip(tail[::3], tail[1::3], strict=False)]
        self.rare = sorted({r for r in self.rare if r.isascii() and r.isalpha()})
        self.p_vi, self.p_en, self.p_zh = (
            _zipf(len(self.vi)),
            _zipf(len(self.en)),
            _zipf(len(self.zh)),
        )

        def forms(words: list[str]) -> tuple[list[str], list[str], list[tuple[str, ...]]]:
            return (
                words,
                [" ".join(tokens(w)) for w in words],
                [tuple(exact_tokens(w)) for w in words],
            )

        self.vi_forms = forms(self.vi)
        plain = [search_fold(w) for w in self.vi]
        self.vi_plain_forms = forms(plain)
        self.en_forms = forms(self.en)
        self.zh_forms = forms(self.zh)
        self.rare_forms = forms(self.rare)
        # query pools
        singles = [w for w in self.vi[:300] if " " not in w]
        self.common = [search_fold(w) for w in singles[:40]]
        self.common_marked = singles[:40]
        self.phrases = [w for w in self.vi[:300] if w.count(" ") == 1][:60]
        self.d_words = [w for w in self.vi[:400] if "đ" in w.lower() and " " in w][:60]
        self._fold: dict[str, str] = {}
        self._exact: dict[str, list[str]] = {}

    def fold_cache(self, text: str) -> str:
        if text not in self._fold:
            self._fold[text] = _fold(text)
        return self._fold[text]

    def exact_cache(self, text: str) -> list[str]:
        if text not in self._exact:
            self._exact[text] = _exact(text)
        return self._exact[text]


# --- generation ------------------------------------------------------------------------------


def generate(
    corpus: Corpus, n: int, seed: int, n_sources: int, n_clusters: int, chunk: int
) -> Iterator[list[dict[str, Any]]]:
    """Items in chunks, oldest first, with display text and index forms."""
    import numpy as np

    rng = np.random.default_rng(seed)
    span = YEARS * 365 * 86400
    # more items lately: a feed that grew over the three years
    when = np.sort(END.timestamp() - span * (1 - rng.random(n) ** 0.8))
    keys = (when * 1_000_000).astype(np.int64)
    keys = np.maximum.accumulate(keys + np.arange(n))  # unique and increasing
    langs = rng.choice(np.array(["vi", "en", "zh"]), n, p=[0.72, 0.20, 0.08])
    p_prov = _zipf(len(PROVINCES), 0.8)
    p_topic = _zipf(len(TOPICS), 0.9)
    source_lang = rng.choice(np.array(["vi", "en", "zh"]), n_sources, p=[0.72, 0.20, 0.08])
    by_lang = {lang: np.flatnonzero(source_lang == lang) + 1 for lang in ("vi", "en", "zh")}
    pools = {
        "vi": (corpus.p_vi, (6, 14), (130, 340), " "),
        "en": (corpus.p_en, (6, 12), (140, 360), " "),
        "zh": (corpus.p_zh, (8, 20), (200, 500), ""),
    }
    kinds = np.array(["article", "post", "comment"])
    moods = np.array(["neutral", "positive", "negative"])
    provinces_en = {p: _fold(p).title() for p in PROVINCES}
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        m = stop - start
        lang_c = langs[start:stop]
        # word streams per language, cut per item below
        lengths = np.zeros((m, 2), dtype=np.int64)
        streams: dict[str, Iterator[int]] = {}
        for lang, (p, (t0, t1), (b0, b1), _sep) in pools.items():
            sel = np.flatnonzero(lang_c == lang)
            lengths[sel, 0] = rng.integers(t0, t1, len(sel))
            lengths[sel, 1] = rng.integers(b0, b1, len(sel))
            total = int(lengths[sel].sum())
            streams[lang] = iter(rng.choice(len(p), total, p=p).tolist())
        plain = rng.random(m) < 0.1
        has_prov = rng.random(m)
        two_prov = rng.random(m) < 0.2
        prov_pick = rng.choice(len(PROVINCES), (m, 2), p=p_prov).tolist()
        has_rare = rng.random(m) < 0.5
        rare_pick = rng.integers(len(corpus.rare), size=m).tolist()
        has_topics = rng.random(m) < 0.85
        n_topics = rng.integers(1, 4, m).tolist()
        topic_pick = rng.choice(len(TOPICS), (m, 3), p=p_topic).tolist()
        kind_c = rng.choice(kinds, m, p=[0.8, 0.15, 0.05]).tolist()
        mood_c = rng.choice(moods, m, p=[0.55, 0.25, 0.2]).tolist()
        src_r = rng.random(m)
        rows: list[dict[str, Any]] = []
        for k in range(m):
            i = start + k
            lang = str(lang_c[k])
            sep = pools[lang][3]
            if lang == "vi":
                forms = corpus.vi_plain_forms if plain[k] else corpus.vi_forms
            else:
                forms = corpus.en_forms if lang == "en" else corpus.zh_forms
            disp, folded, exact = forms
            stream = streams[lang]
            title_idx = [next(stream) for _ in range(int(lengths[k, 0]))]
            body_idx = [next(stream) for _ in range(int(lengths[k, 1]))]
            title = sep.join([disp[j] for j in title_idx])
            body = sep.join([disp[j] for j in body_idx])
            title_f = " ".join([folded[j] for j in title_idx])
            body_f = " ".join([folded[j] for j in body_idx])
            ex = [t for j in title_idx for t in exact[j]] + [t for j in body_idx for t in exact[j]]
            provinces: list[str] = []
            if has_prov[k] < (0.65 if lang == "vi" else 0.3):
                picks = prov_pick[k][: 2 if two_prov[k] else 1]
                provinces = list(dict.fromkeys(PROVINCES[j] for j in picks))
            extra_disp, extra_f, extra_x = [], [], []
            for prov in provinces:  # the province is named in the text
                name = prov if lang == "vi" and not plain[k] else provinces_en[prov]
                extra_disp.append(name)
                extra_f.append(corpus.fold_cache(prov))
                extra_x += corpus.exact_cache(name)
            if has_rare[k]:
                j = rare_pick[k]
                extra_disp.append(corpus.rare[j])
                extra_f.append(corpus.rare_forms[1][j])
                extra_x += corpus.rare_forms[2][j]
            if extra_disp:
                body = body + " " + " ".join(extra_disp)
                body_f = body_f + " " + " ".join(extra_f)
            topics = (
                list(dict.fromkeys(TOPICS[j] for j in topic_pick[k][: n_topics[k]]))
                if has_topics[k]
                else []
            )
            src_ids = by_lang[lang] if len(by_lang[lang]) else np.arange(1, n_sources + 1)
            rows.append(
                {
                    "id": i + 1,
                    "sort_key": int(keys[i]),
                    "when": float(when[i]),
                    "lang": lang,
                    "title": title,
                    "text": body,
                    "title_f": title_f,
                    "body_f": body_f,
                    "exact": " ".join(dict.fromkeys(ex + extra_x)),
                    "source_id": int(src_ids[int(src_r[k] * len(src_ids))]),
                    "kind": kind_c[k],
                    "sentiment": mood_c[k],
                    "topics": topics,
                    "provinces": provinces,
                    "cluster_id": min(n_clusters, 1 + i * n_clusters // n),
                }
            )
        yield rows


def _fold(text: str) -> str:
    from ttdn.monitoring.search.terms import tokens

    return " ".join(tokens(text))


def _exact(text: str) -> list[str]:
    from ttdn.monitoring.search.terms import exact_tokens

    return exact_tokens(text)


# --- building --------------------------------------------------------------------------------


def _setup_reference_rows(n_sources: int, n_clusters: int) -> tuple[dict[int, str], list[int]]:
    """Organisations (34 provinces, 2 departments each), sources and stories."""
    from django.db import connection

    from ttdn.directory.services import SYSTEM, organisation_create
    from ttdn.monitoring.models import Source

    root = organisation_create(actor=SYSTEM, name="Bộ Ngoại giao", kind="national_agency")
    owners = [root]
    provinces = []
    for name in PROVINCES:
        prov = organisation_create(actor=SYSTEM, name=f"Tỉnh {name}", kind="province", parent=root)
        provinces.append(prov.pk)
        owners.append(prov)
        for dept in ("Sở Ngoại vụ", "Sở Văn hóa"):
            owners.append(
                organisation_create(
                    actor=SYSTEM, name=f"{dept} {name}", kind="department", parent=prov
                )
            )
    rng = random.Random(5)
    Source.objects.bulk_create(
        [
            Source(id=i, name=f"Nguồn {i}", owner=rng.choice(owners), url=f"https://s{i}.example/")
            for i in range(1, n_sources + 1)
        ]
    )
    now = END.isoformat()
    with connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO monitoring_cluster (id, title, first_seen, last_seen, size, languages, "
            "provinces, topics, sentiment, signature, counts) "
            "VALUES (%s, %s, %s, %s, 0, '[]', '[]', '[]', '', '[]', '{}')",
            [(i, f"Story {i}", now, now) for i in range(1, n_clusters + 1)],
        )
    paths = {s.pk: s.owner.path for s in Source.objects.select_related("owner")}
    return paths, provinces


def _item_tuple(r: dict[str, Any], pg: bool) -> tuple[Any, ...]:
    when = dt.datetime.fromtimestamp(r["when"], dt.UTC)
    stamp = when.isoformat() if pg else when.strftime("%Y-%m-%d %H:%M:%S.%f")
    return (
        r["id"], r["source_id"], r["kind"], f"https://x.example/{r['id']}", f"{r['id']:040x}",
        "", r["title"], r["text"], "", stamp, stamp, r["sort_key"], r["lang"],
        json.dumps(r["provinces"], ensure_ascii=False), json.dumps(r["topics"]), r["sentiment"],
        0.0, "[]", "", r["cluster_id"], "done", "", 0, "", "",
    )  # fmt: skip


ITEM_COLUMNS = (
    "id, source_id, kind, url, url_hash, external_id, title, text, author, published_at, "
    "collected_at, sort_key, lang, provinces, topics, sentiment, sentiment_score, mentions, "
    "content_hash, cluster_id, stage, lease_token, attempts, error, charset"
)


def _facets(r: dict[str, Any], paths: dict[int, str]) -> list[str]:
    from ttdn.monitoring.search.terms import item_facets

    return item_facets(
        lang=r["lang"], topics=r["topics"], provinces=r["provinces"], sentiment=r["sentiment"],
        source_id=r["source_id"], cluster_id=r["cluster_id"], kind=r["kind"],
        owner_path=paths[r["source_id"]],
    )  # fmt: skip


def _check_sample(rows: list[dict[str, Any]]) -> None:
    """The generator's index forms must be what the application computes."""
    from ttdn.monitoring.search.terms import analyse

    for r in rows[:300]:
        got = analyse(r["title"], r["text"])
        want = (r["title_f"], r["body_f"], r["exact"])
        if got != want:
            raise SystemExit(f"generator and analyse() disagree on item {r['id']}")


def build(n: int, seed: int) -> dict[str, Any]:
    from django.db import connection

    n_sources, n_clusters = 300, max(1, n // 5)
    t0 = time.perf_counter()
    corpus = Corpus(seed)
    paths, _provinces = _setup_reference_rows(n_sources, n_clusters)
    vendor = connection.vendor
    t_gen = t_items = t_index = 0.0
    connection.ensure_connection()
    raw = connection.connection
    if vendor == "sqlite":
        # bulk path: fill the doc table, then one FTS5 'rebuild' (the trigger path, one
        # statement per batch, is what the pipeline uses: measured after the queries)
        trigger = raw.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'monitoring_search_doc_ai'"
        ).fetchone()[0]
        raw.execute("DROP TRIGGER monitoring_search_doc_ai")
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("PRAGMA journal_mode = OFF")
        raw.execute("PRAGMA synchronous = OFF")
        raw.execute("PRAGMA cache_size = -1000000")
    else:
        with raw.cursor() as cur:
            cur.execute("DROP INDEX IF EXISTS monitoring_search_doc_doc")
            cur.execute(
                "CREATE UNLOGGED TABLE bench_stage (sort_key bigint, item_id bigint, "
                "title text, body text, lexemes text)"
            )
        raw.commit()
    from ttdn.monitoring.search.postgres import lexemes

    checked = False
    tg = time.perf_counter()
    for rows in generate(corpus, n, seed, n_sources, n_clusters, chunk=20_000):
        if not checked:
            _check_sample(rows)
            checked = True
        t1 = time.perf_counter()
        t_gen += t1 - tg
        items = [_item_tuple(r, vendor != "sqlite") for r in rows]
        if vendor == "sqlite":
            raw.execute("BEGIN")
            raw.executemany(
                f"INSERT INTO monitoring_item ({ITEM_COLUMNS}) VALUES ({','.join('?' * 25)})", items
            )
            t2 = time.perf_counter()
            raw.executemany(
                "INSERT INTO monitoring_search_doc (sort_key, item_id, title, body, exact, facets) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        r["sort_key"],
                        r["id"],
                        r["title_f"],
                        r["body_f"],
                        r["exact"],
                        " ".join(_facets(r, paths)),
                    )
                    for r in rows
                ],
            )
            raw.execute("COMMIT")
        else:
            with raw.cursor() as cur:
                with cur.copy(f"COPY monitoring_item ({ITEM_COLUMNS}) FROM STDIN") as cp:
                    for it in items:
                        cp.write_row(it)
                t2 = time.perf_counter()
                with cur.copy("COPY bench_stage FROM STDIN") as cp:
                    for r in rows:
                        lex = lexemes(
                            r["sort_key"], r["title_f"], r["body_f"], r["exact"], _facets(r, paths)
                        )
                        cp.write_row((r["sort_key"], r["id"], r["title_f"], r["body_f"], lex))
            raw.commit()
        t3 = time.perf_counter()
        t_items += t2 - t1
        t_index += t3 - t2
        tg = time.perf_counter()
    t4 = time.perf_counter()
    if vendor == "sqlite":
        raw.execute("INSERT INTO monitoring_search_fts (monitoring_search_fts) VALUES ('rebuild')")
        raw.execute(trigger)
        t_rebuild = time.perf_counter() - t4
        raw.execute("INSERT INTO monitoring_search_fts (monitoring_search_fts) VALUES ('optimize')")
        t_final = time.perf_counter() - t4
        raw.execute("PRAGMA foreign_keys = ON")
        raw.execute("PRAGMA journal_mode = WAL")
        sizes = dict(
            raw.execute(
                "SELECT CASE WHEN name LIKE 'monitoring_search_fts%' THEN 'fts' ELSE name END, "
                "sum(pgsize) FROM dbstat "
                "WHERE name LIKE 'monitoring_search%' OR name = 'monitoring_item' "
                "GROUP BY 1"
            ).fetchall()
        )
        size_mb = {k: round(v / 1e6) for k, v in sizes.items()}
        size_mb["fts_rebuild_s"] = round(t_rebuild, 1)
    else:
        from ttdn.monitoring.search.postgres import DOC_SQL

        with raw.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '1GB'")
            cur.execute(
                "INSERT INTO monitoring_search_doc (sort_key, item_id, doc) "
                "SELECT sort_key, item_id, "
                + DOC_SQL.replace("%s", "{}").format("title", "body", "lexemes")
                + " FROM bench_stage"
            )
            cur.execute("DROP TABLE bench_stage")
            raw.commit()
            t5 = time.perf_counter()
            cur.execute(
                "CREATE INDEX monitoring_search_doc_doc ON monitoring_search_doc USING gin (doc)"
            )
            cur.execute("SELECT setval(pg_get_serial_sequence('monitoring_item', 'id'), %s)", [n])
            raw.commit()
            t_gin = time.perf_counter() - t5
        with raw.cursor() as cur:  # the connection is in autocommit mode, as Django keeps it
            cur.execute("VACUUM ANALYZE monitoring_item")
            cur.execute("VACUUM ANALYZE monitoring_search_doc")
            cur.execute(
                "SELECT pg_total_relation_size('monitoring_search_doc'), "
                "pg_relation_size('monitoring_search_doc_doc'), "
                "pg_total_relation_size('monitoring_item')"
            )
            total, gin, items_size = cur.fetchone()
        t_final = time.perf_counter() - t4
        size_mb = {
            "doc_total": round(total / 1e6),
            "gin": round(gin / 1e6),
            "items": round(items_size / 1e6),
        }
        size_mb["gin_build_s"] = round(t_gin, 1)
    return {
        "n": n,
        "build_s": round(time.perf_counter() - t0, 1),
        "generate_s": round(t_gen, 1),
        "items_s": round(t_items, 1),
        "index_s": round(t_index, 1),
        "finish_s": round(t_final, 1),
        "size_mb": size_mb,
    }


# --- measuring --------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]


class Floor:
    """The same full-text query as ``search()`` issues, in plain SQL on the raw connection."""

    def __init__(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        self.vendor = connection.vendor
        self.raw = connection.connection
        self.cur: Any
        if self.vendor == "postgresql":
            import psycopg

            self.cur = psycopg.ClientCursor(self.raw)
        else:
            self.cur = self.raw.cursor()

    def _sqlite(self, plan: Any) -> tuple[str, list[Any]]:
        from ttdn.monitoring.search import sqlite

        where = ["monitoring_search_fts MATCH ?"]
        params: list[Any] = [sqlite.match_expression(plan)]
        if plan.lo is not None:
            where.append("rowid >= ?")
            params.append(plan.lo)
        if plan.hi is not None:
            where.append("rowid <= ?")
            params.append(plan.hi)
        return " AND ".join(where), params

    def _pg(self, plan: Any) -> tuple[str, list[Any], str, list[Any]]:
        from ttdn.monitoring.search import postgres

        params: list[Any] = []
        q = postgres.tsquery(plan, params)
        where = f"doc @@ {q}"
        if plan.lo is not None:
            where += " AND sort_key >= %s"
            params.append(plan.lo)
        if plan.hi is not None:
            where += " AND sort_key <= %s"
            params.append(plan.hi)
        rank_params: list[Any] = []
        rank_q = postgres._text(plan, rank_params) or q
        return where, params, rank_q, rank_params

    def newest(self, plan: Any, cap: int, offset: int = 0) -> int:
        """Newest 20 matches and the bounded count: what the list view needs."""
        if self.vendor == "sqlite":
            where, params = self._sqlite(plan)
            self.cur.execute(
                f"SELECT rowid FROM monitoring_search_fts WHERE {where} "
                "ORDER BY rowid DESC LIMIT 20 OFFSET ?",
                [*params, offset],
            ).fetchall()
            return self.cur.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM monitoring_search_fts WHERE {where} LIMIT ?)",
                [*params, cap],
            ).fetchone()[0]
        where, params, _rq, _rp = self._pg(plan)
        self.cur.execute(
            f"SELECT sort_key FROM monitoring_search_doc WHERE {where} "
            "ORDER BY sort_key DESC LIMIT 20 OFFSET %s",
            [*params, offset],
        )
        self.cur.fetchall()
        self.cur.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM monitoring_search_doc WHERE {where} LIMIT %s) m",
            [*params, cap],
        )
        return self.cur.fetchone()[0]

    def ranked(self, plan: Any) -> int:
        """Top 20 by bm25 / ts_rank over all matches."""
        if self.vendor == "sqlite":
            where, params = self._sqlite(plan)
            return len(
                self.cur.execute(
                    f"SELECT rowid FROM monitoring_search_fts WHERE {where} "
                    "ORDER BY bm25(monitoring_search_fts, 4.0, 1.0, 0.0, 0.0) LIMIT 20",
                    params,
                ).fetchall()
            )
        where, params, rank_q, rank_params = self._pg(plan)
        self.cur.execute(
            f"SELECT sort_key FROM monitoring_search_doc WHERE {where} "
            f"ORDER BY ts_rank(doc, {rank_q}) DESC LIMIT 20",
            [*params, *rank_params],
        )
        return len(self.cur.fetchall())

    def exact_count(self, plan: Any) -> int:
        """A full count(*), for reference (the application stops at the limit)."""
        if self.vendor == "sqlite":
            where, params = self._sqlite(plan)
            return self.cur.execute(
                f"SELECT count(*) FROM monitoring_search_fts WHERE {where}", params
            ).fetchone()[0]
        where, params, _rq, _rp = self._pg(plan)
        self.cur.execute(f"SELECT count(*) FROM monitoring_search_doc WHERE {where}", params)
        return self.cur.fetchone()[0]


def query_types(corpus: Corpus, seed: int) -> dict[str, tuple[bool, Callable[[int], Any]]]:
    """name → (ranked?, rep → SearchQuery)."""
    from django.db import connection

    from ttdn.directory.models import Organisation
    from ttdn.monitoring.search import SearchQuery

    rng = random.Random(seed)
    with connection.cursor() as cur:
        cur.execute("SELECT max(sort_key) FROM monitoring_item")
        newest = dt.datetime.fromtimestamp(cur.fetchone()[0] / 1e6, dt.UTC).date()
    month_ago = newest - dt.timedelta(days=30)
    province_orgs = list(Organisation.objects.filter(kind="province").values_list("pk", flat=True))
    common, marked, phrases, d_words = (
        corpus.common,
        corpus.common_marked,
        corpus.phrases,
        corpus.d_words,
    )
    rare = rng.sample(corpus.rare, 200)

    def pick(pool: list[Any], rep: int) -> Any:
        return pool[(rep * 7 + 3) % len(pool)]

    def q(**kw: Any) -> SearchQuery:
        return SearchQuery(**kw)

    return {
        "keyword_common": (False, lambda r: q(text=pick(common, r))),
        "keyword_rare": (False, lambda r: q(text=pick(rare, r))),
        "keyword_with_diacritics": (False, lambda r: q(text=pick(marked, r))),
        "phrase": (False, lambda r: q(text=f'"{_plain(pick(phrases, r))}"')),
        "no_diacritics_with_d": (False, lambda r: q(text=_plain(pick(d_words, r)))),
        "two_words": (False, lambda r: q(text=f"{pick(common, r)} {pick(common, r + 5)}")),
        "filter_lang_topic_30d": (
            False,
            lambda r: q(
                text=pick(common, r),
                langs=["vi"],
                topics=[pick(TOPICS[:6], r)],
                date_from=month_ago,
            ),
        ),
        "filter_province": (
            False,
            lambda r: q(text=pick(common, r), provinces=[pick(PROVINCES, r)]),
        ),
        "filter_source": (False, lambda r: q(text=pick(common, r), sources=[1 + (r * 37) % 300])),
        "filter_en_vi_word": (False, lambda r: q(text=pick(common, r), langs=["en"])),
        "scope_province": (
            False,
            lambda r: (q(text=pick(common, r)), [pick(province_orgs, r)]),
        ),
        "filters_only": (False, lambda r: q(langs=["en"], provinces=[pick(PROVINCES, r)])),
        "page_5": (False, lambda r: q(text=pick(common, r), page=5)),
        "ranked_common": (True, lambda r: q(text=pick(common, r), order="relevance")),
        "ranked_phrase": (
            True,
            lambda r: q(text=f'"{_plain(pick(phrases, r))}"', order="relevance"),
        ),
        "ranked_two_words": (
            True,
            lambda r: q(text=f"{pick(common, r)} {pick(common, r + 11)}", order="relevance"),
        ),
        "ranked_30d_lang": (
            True,
            lambda r: q(text=pick(common, r), langs=["vi"], date_from=month_ago, order="relevance"),
        ),
    }


def _plain(text: str) -> str:
    from ttdn.monitoring.search.terms import search_fold

    return search_fold(text)


def measure(reps: int, seed: int) -> dict[str, Any]:
    from django.db import connection

    from ttdn.monitoring.search import COUNT_LIMIT, build_plan, search

    corpus = Corpus(seed)
    floor = Floor()
    out: dict[str, Any] = {}
    for name, (is_ranked, make) in query_types(corpus, seed).items():
        app_t: list[float] = []
        floor_t: list[float] = []
        cold_t: list[float] = []
        hits: list[int] = []
        for rep in range(-3, reps):  # three warm-up runs
            made = make(rep + 100 if rep < 0 else rep)
            query, scope = made if isinstance(made, tuple) else (made, None)
            plan = build_plan(query, scope)

            def app(query: Any = query, scope: Any = scope) -> Any:
                return search(query, scope_org_ids=scope)

            def bare(plan: Any = plan, query: Any = query, ranked: bool = is_ranked) -> None:
                if plan is None or not plan.needs_match:
                    return
                if ranked:
                    floor.ranked(plan)
                else:
                    floor.newest(plan, COUNT_LIMIT + 1, (query.page - 1) * query.per_page)

            # The first call of a term reads pages no query has read yet; it is timed
            # apart ("cold"). Then both are timed warm, in alternating order.
            t0 = time.perf_counter()
            page = app()
            cold = (time.perf_counter() - t0) * 1000
            timings = {}
            for name_, fn in (
                (("app", app), ("floor", bare)) if rep % 2 else (("floor", bare), ("app", app))
            ):
                t0 = time.perf_counter()
                fn()
                timings[name_] = (time.perf_counter() - t0) * 1000
            if rep >= 0:
                cold_t.append(cold)
                app_t.append(timings["app"])
                floor_t.append(timings["floor"])
                hits.append(page.total)
        fp95 = p95(floor_t)
        out[name] = {
            "ranked": is_ranked,
            "app_p50_ms": round(statistics.median(app_t), 2),
            "app_p95_ms": round(p95(app_t), 2),
            "floor_p50_ms": round(statistics.median(floor_t), 2),
            "floor_p95_ms": round(fp95, 2),
            "ratio_p95": round(p95(app_t) / fp95, 2) if fp95 > 0.001 else None,
            "median_total": statistics.median(hits),
            "cold_p50_ms": round(statistics.median(cold_t), 2),
            "cold_p95_ms": round(p95(cold_t), 2),
        }
    # reference: a full count of a common word (the application stops at COUNT_LIMIT + 1)
    count_t = []
    for rep in range(10):
        from ttdn.monitoring.search import SearchQuery

        plan = build_plan(SearchQuery(text=corpus.common[rep % len(corpus.common)]), None)
        t0 = time.perf_counter()
        floor.exact_count(plan)
        count_t.append((time.perf_counter() - t0) * 1000)
    out["reference_full_count_common_p95_ms"] = round(p95(count_t), 2)
    _ = connection
    return out


def measure_indexing(seed: int, count: int = 2000) -> dict[str, Any]:
    """``index_items`` on new items in batches of 50 (as the pipeline does), re-indexing
    after a story change, and removal; the test items are deleted afterwards."""
    from django.db import connection, transaction

    from ttdn.monitoring.models import Item
    from ttdn.monitoring.search import index_items, reindex_items, unindex_items

    corpus = Corpus(seed + 1)
    vendor = connection.vendor
    with connection.cursor() as cur:
        cur.execute("SELECT max(id), max(sort_key), max(cluster_id) FROM monitoring_item")
        max_id, max_key, max_cluster = cur.fetchone()
    rows = next(generate(corpus, count, seed + 1, 300, 100, chunk=count))
    for k, r in enumerate(rows):
        r["id"] = max_id + 1 + k
        r["sort_key"] = max_key + 1_000_000 * (k + 1)
        r["cluster_id"] = 1 + k % 100
    items_sql = f"INSERT INTO monitoring_item ({ITEM_COLUMNS}) VALUES ({', '.join(['%s'] * 25)})"
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(items_sql, [_item_tuple(r, vendor != "sqlite") for r in rows])
    ids = [r["id"] for r in rows]
    t0 = time.perf_counter()
    for i in range(0, count, 50):
        with transaction.atomic():
            index_items(Item.objects.filter(pk__in=ids[i : i + 50]))
    t_new = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction.atomic():
        Item.objects.filter(pk__in=ids[:500]).update(cluster_id=max_cluster)
        reindex_items(ids[:500])
    t_re = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction.atomic():
        unindex_items(ids)
    t_un = time.perf_counter() - t0
    with transaction.atomic():
        Item.objects.filter(pk__in=ids).delete()
    return {
        "index_new_docs_per_s": round(count / t_new),
        "reindex_docs_per_s": round(500 / t_re),
        "unindex_docs_per_s": round(count / t_un),
    }


# --- driving -----------------------------------------------------------------------------------


def _child(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(REPO / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ttdn.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    engine = "sqlite" if connection.vendor == "sqlite" else "postgres"
    populated = False
    with connection.cursor() as cur:
        if "monitoring_search_doc" in connection.introspection.table_names(cur):
            cur.execute("SELECT count(*) FROM monitoring_search_doc")
            populated = cur.fetchone()[0] > 0
    result: dict[str, Any] = {"engine": engine}
    if args.reuse and populated:
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM monitoring_item")
            result["n"] = cur.fetchone()[0]
        print(f"{engine}: reusing {result['n']:,} items", flush=True)
    else:
        call_command("migrate", verbosity=0)
        print(f"{engine}: building {args.n:,} items ...", flush=True)
        result["build"] = build(args.n, args.seed)
        result["n"] = args.n
        print(f"{engine}: built {json.dumps(result['build'])}", flush=True)
    details = measure(args.reps, args.seed)
    result["queries"] = details
    result["indexing"] = measure_indexing(args.seed)
    print(f"{engine}: indexing {json.dumps(result['indexing'])}", flush=True)
    list_types = {k: v for k, v in details.items() if isinstance(v, dict) and not v["ranked"]}
    ranked_types = {k: v for k, v in details.items() if isinstance(v, dict) and v["ranked"]}
    worst = max(list_types, key=lambda k: list_types[k]["app_p95_ms"])
    worst_r = max(ranked_types, key=lambda k: ranked_types[k]["app_p95_ms"])
    result[f"search_p95_ms_{engine}"] = list_types[worst]["app_p95_ms"]
    result[f"search_floor_p95_ms_{engine}"] = list_types[worst]["floor_p95_ms"]
    result[f"search_worst_type_{engine}"] = worst
    result[f"ranked_p95_ms_{engine}"] = ranked_types[worst_r]["app_p95_ms"]
    result[f"ranked_floor_p95_ms_{engine}"] = ranked_types[worst_r]["floor_p95_ms"]
    result[f"ranked_worst_type_{engine}"] = worst_r
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def run(
    engine: str,
    n: int = 1_000_000,
    reps: int = 40,
    *,
    keep: bool = False,
    reuse: bool = False,
    seed: int = 7,
    sqlite_path: str | None = None,
) -> dict[str, Any]:
    """Build a corpus of ``n`` items on ``engine`` and time the query types (see module)."""
    if engine not in {"sqlite", "postgres"}:
        raise ValueError("engine must be sqlite or postgres")
    env = dict(os.environ, TTDN_DEBUG="0", DJANGO_SETTINGS_MODULE="ttdn.settings")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO), env.get("PYTHONPATH", "")])
    tmp = None
    if engine == "sqlite":
        if sqlite_path is None:
            tmp = tempfile.mkdtemp(prefix="ttdn_bench_search_")
            sqlite_path = os.path.join(tmp, "bench.sqlite3")
        env["DATABASE_URL"] = f"sqlite:///{sqlite_path}"
        env["TTDN_DATA_DIR"] = os.path.dirname(sqlite_path)
    else:
        if not reuse:
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
        try:
            _pg_admin(f"CREATE DATABASE {PG_DB}")
        except Exception:  # reusing an existing database
            if not reuse:
                raise
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--n", str(n)]
    cmd += ["--reps", str(reps), "--seed", str(seed)] + (["--reuse"] if reuse else [])
    try:
        last = ""
        with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith("{"):
                    last = line
                elif line.strip():
                    print(line.rstrip(), flush=True)
        if proc.returncode or not last:
            raise RuntimeError(f"benchmark child failed ({proc.returncode})")
        result: dict[str, Any] = json.loads(last)
        if keep:
            result["database"] = env["DATABASE_URL"]
        return result
    finally:
        if not keep:
            if engine == "postgres":
                _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
            elif tmp is not None:
                import shutil

                shutil.rmtree(tmp, ignore_errors=True)


def print_table(result: dict[str, Any]) -> None:
    engine = result["engine"]
    print(f"\n{engine}: {result['n']:,} items")
    if "build" in result:
        print(f"  build: {json.dumps(result['build'])}")
    print(
        f"  {'query type':26} {'app p50':>9} {'app p95':>9} {'floor p50':>10} "
        f"{'floor p95':>10} {'×':>6} {'total':>8} {'cold p95':>9}"
    )
    for name, d in result["queries"].items():
        if not isinstance(d, dict):
            print(f"  {name}: {d}")
            continue
        ratio = f"{d['ratio_p95']:.2f}" if d["ratio_p95"] is not None else "-"
        print(
            f"  {name:26} {d['app_p50_ms']:9.2f} {d['app_p95_ms']:9.2f} {d['floor_p50_ms']:10.2f} "
            f"{d['floor_p95_ms']:10.2f} {ratio:>6} {d['median_total']:>8} {d['cold_p95_ms']:9.2f}"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--reuse", action="store_true", help="measure a kept database again")
    ap.add_argument("--sqlite-path", help="SQLite file (default: a temporary one)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return _child(args)
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    combined: dict[str, Any] = {}
    for engine in engines:
        res = run(
            engine, args.n, args.reps, keep=args.keep, reuse=args.reuse, seed=args.seed,
            sqlite_path=args.sqlite_path,
        )  # fmt: skip
        print_table(res)
        combined.update({k: v for k, v in res.items() if k.startswith(("search_", "ranked_"))})
        combined[f"details_{engine}"] = res
    print(json.dumps(combined, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
