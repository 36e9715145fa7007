"""The referral directory shipped with the program, built from the two seed documents.

Seeds (``shared/seeds/``): ``000`` = ``000_c80ce5ecfdc1389c.txt`` (2015 district roll-out plan),
``002`` = ``002_6f996f2261930b51.txt`` (2026 ten-year review). Each entry cites the lines its
description, target groups and elements come from. Where an entry relies on what the ward's
sections are generally known to do rather than on the seeds, the comment says so: a reviewer
should check those first.

What is shipped:
- for each of the 28 districts: まちづくりセンター, あんしんすこやかセンター (総合相談 and its
  在宅療養相談窓口), 社会福祉協議会 地区事務局, 児童館;
- for each of the 5 areas: the 総合支所's 保健福祉課, 生活支援課, 子ども家庭支援センター,
  健康づくり課, and the area's 地域障害者相談支援センター;
- ward-wide: every other destination ``shared/DOMAIN.md`` names.

The seeds give no address, phone number or opening hours (apart from 高齢者安心コール's
「24時間365日」): nothing of the kind is invented here, every service has
``contact_confirmed=False`` and the UI shows 要確認 until a supervisor confirms or imports real data.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.directory import (
    Directory,
    Location,
    Organization,
    Role,
    Schedule,
    Service,
    ServiceArea,
    ServiceMode,
)

#: Readings of the district and area names (for search by reading).
DISTRICT_READINGS: dict[str, str] = {
    "ikejiri": "いけじり", "taishido": "たいしどう", "wakabayashi": "わかばやし",
    "kamimachi": "かみまち", "kyodo": "きょうどう", "shimouma": "しもうま", "kamiuma": "かみうま",
    "umegaoka": "うめがおか", "daizawa": "だいざわ", "shindaita": "しんだいた",
    "kitazawa": "きたざわ", "matsubara": "まつばら", "matsuzawa": "まつざわ",
    "okusawa": "おくさわ", "kuhonbutsu": "くほんぶつ", "todoroki": "とどろき",
    "kaminoge": "かみのげ", "yoga": "ようが", "futakotamagawa": "ふたこたまがわ",
    "fukasawa": "ふかさわ", "soshigaya": "そしがや", "seijo": "せいじょう",
    "funabashi": "ふなばし", "kitami": "きたみ", "kinuta": "きぬた",
    "kamikitazawa": "かみきたざわ", "kamisoshigaya": "かみそしがや", "karasuyama": "からすやま",
}
AREA_READINGS: dict[str, str] = {
    "setagaya": "せたがや", "kitazawa": "きたざわ", "tamagawa": "たまがわ", "kinuta": "きぬた",
    "karasuyama": "からすやま",
}

# Target groups (reference.TARGET_GROUPS codes) and elements (reference.ELEMENTS codes).
ELDERLY, DISABILITY, CHILD, YOUTH, POVERTY, OTHER = (
    "elderly", "disability", "child", "youth", "poverty", "other",
)
EVERYONE = frozenset({ELDERLY, DISABILITY, CHILD, YOUTH, POVERTY, OTHER})
MEDICAL, WELFARE, PREVENTION, HOUSING, LIVING = (
    "medical", "welfare_service", "prevention", "housing", "living_support",
)
EMPLOYMENT, EDUCATION, PARTICIPATION, SAFETY = (
    "employment", "education", "participation", "safety",
)

_NO_CONTACT = "所在地・電話番号・受付時間は要確認（シード資料に記載なし）"


def _set(*codes: str) -> frozenset[str]:
    return frozenset(codes)


def _location(org: Organization, name: str = "") -> Location:
    return Location(f"{org.id}-loc", org.id, name or org.name, _NO_CONTACT)


# --- the 28 districts ------------------------------------------------------------------------

def _district_entries(
    district: ref.District,
) -> tuple[list[Organization], list[Service], list[Location]]:
    d, name, reading = district.code, district.name, DISTRICT_READINGS[district.code]
    here = ServiceArea.district(d)
    common = {"district_code": d, "area_code": district.area_code}

    machi = Organization(
        f"{d}-machizukuri", ref.organisation_name(ref.OrgKind.MACHIZUKURI, district=district),
        f"{reading}まちづくりせんたー", kind=ref.OrgKind.MACHIZUKURI.value, **common,
        description="区民の最も身近な行政機関。地区の福祉の相談窓口の一つ。",
    )
    anshin = Organization(
        f"{d}-anshin", ref.organisation_name(ref.OrgKind.ANSHIN, district=district),
        f"{reading}あんしんすこやかせんたー", alternate_name="地域包括支援センター",
        kind=ref.OrgKind.ANSHIN.value, **common,
        description="区が各地区に設置する地域包括支援センター。社会福祉士、主任ケアマネジャー、"
                    "保健師等の専門職員が相談に応じる。",
    )
    shakyo = Organization(
        f"{d}-shakyo", ref.organisation_name(ref.OrgKind.SHAKYO, district=district),
        f"しゃかいふくしきょうぎかい {reading}ちくじむきょく", alternate_name="社協",
        kind=ref.OrgKind.SHAKYO.value, parent_id="shakyo", **common,
        description="世田谷区社会福祉協議会の地区事務局（まちづくりセンター内）。",
    )
    jidokan = Organization(
        f"{d}-jidokan", ref.organisation_name(ref.OrgKind.JIDOKAN, district=district),
        f"{reading}じどうかん", kind=ref.OrgKind.JIDOKAN.value, **common,
        description="地区の児童館（四者連携の一員）。施設名・所在地は要確認。",
    )
    orgs = [machi, anshin, shakyo, jidokan]
    services = [
        # まちづくりセンター. 002:376 (takes every consultation, sorts it, hands it to the right
        # window and works with it), 002:319-322, 002:412 (四者連携の調整, 地区のネットワーク),
        # 000:100-112 (町会・自治会, 民生委員児童委員協議会, 災害時要援護者支援, 見守り),
        # 002:3273 (防災情報の発信, 学習機会, 地区防災計画の作成支援).
        Service(
            machi.id, machi.id, machi.name, machi.reading,
            "区民の最も身近な行政機関として様々な相談を受け、相談内容を整理して適切な窓口へつなぎ、"
            "つなぎ先と連携して対応する。四者連携の調整、町会・自治会や民生委員児童委員協議会との"
            "連携、地域の見守りや災害時要援護者支援への支援、防災情報の発信・学習機会の提供・"
            "地区防災計画の作成支援を行う。",
            f"{name}地区の区民・地域活動団体（どなたでも）", here,
            EVERYONE, _set(SAFETY, PARTICIPATION), secondary_elements=_set(LIVING),
            role=Role.MACHIZUKURI, alternate_name="福祉の相談窓口",
            keywords=("福祉の相談窓口", "防災", "防犯", "地区防災計画", "町会", "自治会"),
            location_ids=(f"{machi.id}-loc",),
        ),
        # あんしんすこやかセンター (総合相談). 000:115-132 (高齢者の相談支援に加え障害者・子育て
        # 家庭・生活困窮・複合した相談, 一次相談・アセスメント, つなぎ), 002:306-313, 002:377,
        # 002:2160 (あんしん見守り事業: 見守りコーディネーター), 002:2215 (28か所, 専門職).
        Service(
            anshin.id, anshin.id, anshin.name, anshin.reading,
            "高齢者の総合相談・包括的継続的ケアマネジメント・介護予防に加え、障害者、子育て家庭、"
            "生活困窮等の相談やそれらが複合した家庭内の問題も受け（相談拡充）、一次相談・"
            "アセスメントを行って適切な相談支援先へつなぐ。見守りコーディネーターによる"
            "あんしん見守り事業、地域ケア会議も行う。",
            f"{name}地区の高齢者とその家族（障害者・子育て家庭・生活困窮等の相談も受付）", here,
            _set(ELDERLY), _set(WELFARE, LIVING, PREVENTION),
            secondary_groups=_set(DISABILITY, CHILD, POVERTY), secondary_elements=_set(MEDICAL),
            role=Role.ANSHIN, alternate_name="地域包括支援センター",
            keywords=("介護", "介護予防", "認知症", "見守り", "地域包括支援センター",
                      "ケアマネ"),
            location_ids=(f"{anshin.id}-loc",),
        ),
        # 在宅療養相談窓口. 002:909-913 (set up at every あんしんすこやかセンター from 平成30年度;
        # 在宅療養・入退院の相談 from residents and professionals), 002:310, 002:599.
        Service(
            f"{anshin.id}-zaitaku", anshin.id, f"{anshin.name} 在宅療養相談窓口",
            f"{anshin.reading} ざいたくりょうようそうだんまどぐち",
            "在宅療養・入退院等に関する区民や医療・介護関係者からの相談を受け、入院・転院・"
            "退院時の相談にきめ細かく対応するとともに、関係者間のネットワークづくりを支援する。",
            f"{name}地区の在宅療養・入退院に関する区民と医療・介護関係者", here,
            _set(ELDERLY), _set(MEDICAL),
            secondary_groups=_set(DISABILITY), secondary_elements=_set(WELFARE),
            role=Role.ZAITAKU, alternate_name="在宅療養相談窓口",
            keywords=("在宅療養", "在宅医療", "入院", "退院", "転院", "ACP", "人生会議",
                      "看取り"),
            location_ids=(f"{anshin.id}-loc",),
        ),
        # 社会福祉協議会 地区事務局. 000:134-162 (informal services and 支えあい at the
        # まちづくりセンター, 相談記録, 地域資源), 002:378 (複合的課題, サロン・ミニデイ),
        # 002:333-336, 002:363 (生活支援コーディネーター), 002:3129 (サロン, 子育てサロン).
        Service(
            shakyo.id, shakyo.id, shakyo.name, shakyo.reading,
            "社会福祉協議会のサービスや支えあい等のインフォーマルなサービスの相談にまちづくり"
            "センターで即時に応じ、相談記録を作成する。複合的課題を抱える方の相談を地区の課題と"
            "一体的に捉える。サロン・ミニデイ・子育てサロン等への参加の案内、地域福祉活動・"
            "ボランティアの相談、生活支援コーディネーターによる地域資源の開発を行う。",
            f"{name}地区の区民・地域活動団体（どなたでも）", here,
            EVERYONE, _set(LIVING, PARTICIPATION),
            role=Role.SHAKYO, alternate_name="社協",
            keywords=("社協", "サロン", "ミニデイ", "支えあい", "ボランティア", "地域活動",
                      "生活支援コーディネーター"),
            location_ids=(f"{shakyo.id}-loc",),
        ),
        # 児童館. 002:282-292 (子育て家庭への支援, 遊びを通じた子どもの育成, 相談・見守り),
        # 002:415 (四者連携会議で子ども・子育て家庭の悩みを提起, 地域資源の情報提供),
        # 002:534 (児童館を中核とした相談・見守りネットワーク), 002:1440, 002:3194 (中高生世代).
        Service(
            jidokan.id, jidokan.id, jidokan.name, jidokan.reading,
            "子育て家庭への支援、遊びを通じた子どもの育成、地域の子育て環境づくりを行う。"
            "令和4年から四者連携に加わり、子ども・子育て家庭の悩みや見守りから気づいた課題を"
            "提起し、地域子育て支援コーディネーターが開発した地域資源の情報を提供する。",
            f"{name}地区の子ども（中高生世代を含む）と子育て家庭", here,
            _set(CHILD), _set(WELFARE, LIVING, PARTICIPATION),
            secondary_groups=_set(YOUTH), secondary_elements=_set(EDUCATION),
            role=Role.JIDOKAN,
            keywords=("児童館", "遊び", "中高生"),
            location_ids=(f"{jidokan.id}-loc",),
        ),
    ]
    return orgs, services, [_location(o) for o in orgs]


# --- the 5 areas -----------------------------------------------------------------------------

_BRANCH_NOTE = "（担当範囲の詳細は要確認）"


def _area_entries(area: ref.Area) -> tuple[list[Organization], list[Service], list[Location]]:
    a, reading = area.code, AREA_READINGS[area.code]
    here = ServiceArea.area(a)
    branch = Organization(
        f"{a}-branch", area.branch_name, f"{reading}そうごうししょ",
        kind=ref.OrgKind.BRANCH.value, area_code=a,
        description=f"{area.name}地域の総合支所。保健福祉センターの各課が地区をバックアップする。",
    )
    districts = "・".join(d.name for d in ref.DISTRICTS if d.area_code == a)
    shogai = Organization(
        f"{a}-shogai-soudan", f"{area.name}地域障害者相談支援センター",
        f"{reading}ちいきしょうがいしゃそうだんしえんせんたー", area_code=a,
        description=f"{area.name}地域（{districts}）の地域障害者相談支援センター。名称・所在地は要確認。",
    )

    def section(suffix: str, title: str, title_reading: str, **fields: Any) -> Service:
        return Service(
            f"{a}-{suffix}", branch.id, f"{branch.name} {title}", f"{branch.reading} {title_reading}",
            service_area=here, location_ids=(f"{branch.id}-loc",), **fields,
        )

    services = [
        # 保健福祉課. Seeds: one of the 総合支所保健福祉3課 backing the districts up (000:22,
        # 000:226-243: 高齢者分野以外の相談も気軽に持ち込めるバックアップ, 複合課題・困難事例),
        # a つなぎ先 after the first assessment (000:123-129), 000:443 (情報共有).
        # NOT from the seeds (the ward's usual division of work; check): 高齢者・障害者の福祉
        # サービスの相談・申請, and being where elder/disability abuse is reported.
        section(
            "hokenfukushi", "保健福祉課", "ほけんふくしか",
            description="総合支所保健福祉センターの課として、あんしんすこやかセンター等が受けた"
                        "相談のつなぎ先となり、高齢者分野以外や複合課題・対応困難な事例も含めて"
                        "地区をバックアップする。高齢者・障害者の福祉サービスの相談・申請を受ける。",
            eligibility=f"{area.name}地域（{districts}）の区民{_BRANCH_NOTE}",
            target_groups=_set(ELDERLY, DISABILITY), elements=_set(WELFARE),
            secondary_groups=_set(OTHER), secondary_elements=_set(LIVING),
            role=Role.HOKENFUKUSHI,
            keywords=("介護保険", "障害福祉サービス"),
        ),
        # 生活支援課. Seeds: only named as a つなぎ先 (000:125) and as one of the 保健福祉3課
        # (000:22). NOT from the seeds (check): 生活保護 and the living support of poor households.
        section(
            "seikatsushien", "生活支援課", "せいかつしえんか",
            description="総合支所保健福祉センターの課として、あんしんすこやかセンター等が受けた"
                        "相談のつなぎ先となる。生活保護など生活に困窮する世帯の生活の支援を行う。",
            eligibility=f"{area.name}地域（{districts}）の生活に困窮する世帯{_BRANCH_NOTE}",
            target_groups=_set(POVERTY), elements=_set(LIVING, WELFARE),
            secondary_elements=_set(HOUSING),
            role=Role.SEIKATSUSHIEN,
            keywords=("生活保護", "保護費"),
        ),
        # 子ども家庭支援センター. Seeds: a つなぎ先 for 子育て家庭 consultations (000:123-129);
        # 000:49 and 000:253 (児童福祉・児童虐待防止 and DV named as knowledge the window needs).
        # NOT from the seeds (check): the centre's own role as the ward's child and family
        # consultation and child-abuse reporting point.
        section(
            "kodomo-katei", "子ども家庭支援センター", "こどもかていしえんせんたー",
            description="子どもと子育て家庭に関する相談のつなぎ先。子育ての悩み、養育の困難、"
                        "児童虐待の疑いなど子どもと家庭の相談を受け、関係機関と連携して支援する。",
            eligibility=f"{area.name}地域（{districts}）の子ども（18歳未満）と子育て家庭{_BRANCH_NOTE}",
            target_groups=_set(CHILD), elements=_set(WELFARE, LIVING),
            secondary_groups=_set(YOUTH), secondary_elements=_set(EDUCATION),
            role=Role.KODOMO_KATEI,
            keywords=("養育", "子育ての悩み", "ヤングケアラー"),
        ),
        # 健康づくり課. Seeds: a つなぎ先 (000:127); 002:1257 (保健福祉センターの地区担当保健師),
        # 002:1408-1416 (世田谷版ネウボラ: 妊娠期から就学前), 002:1777 (こころの健康).
        # NOT from the seeds (check): that 健康づくり課 is where the 地区担当保健師, maternal and
        # child health (ネウボラ) and mental-health consultations sit.
        section(
            "kenkozukuri", "健康づくり課", "けんこうづくりか",
            description="総合支所保健福祉センターの課として、地区担当保健師が心身の健康、"
                        "こころの不調、妊娠期から就学前までの子育て（世田谷版ネウボラ）などの"
                        "相談に応じ、あんしんすこやかセンター等と連携する。",
            eligibility=f"{area.name}地域（{districts}）の区民{_BRANCH_NOTE}",
            target_groups=_set(CHILD, DISABILITY), elements=_set(PREVENTION, MEDICAL),
            secondary_groups=_set(ELDERLY, YOUTH, POVERTY, OTHER),
            role=Role.KENKOZUKURI,
            keywords=("保健師", "妊娠", "出産", "乳幼児", "ネウボラ", "こころ", "精神"),
        ),
        # 地域障害者相談支援センター. Seeds: a つなぎ先 for disability consultations (000:127);
        # 002:107 (障害者の相談支援事業の充実), 002:1057 (地域生活支援拠点: 相談).
        Service(
            shogai.id, shogai.id, shogai.name, shogai.reading,
            "障害のある方とその家族の相談に応じ、障害福祉サービスの利用や地域での暮らしを支える"
            "相談支援を行う。あんしんすこやかセンター等が一次相談を受けた障害者の相談のつなぎ先。",
            f"{area.name}地域（{districts}）の障害のある方とその家族", here,
            _set(DISABILITY), _set(WELFARE, LIVING), secondary_elements=_set(PARTICIPATION),
            role=Role.SHOGAI_SOUDAN,
            keywords=("障害福祉サービス",),
            location_ids=(f"{shogai.id}-loc",),
        ),
    ]
    orgs = [branch, shogai]
    return orgs, services, [_location(o) for o in orgs]


# --- ward-wide -------------------------------------------------------------------------------

def _ward_entries() -> tuple[list[Organization], list[Service], list[Location]]:
    ward = ServiceArea.ward()
    orgs: list[Organization] = []
    services: list[Service] = []
    locations: list[Location] = []

    def org(org_id: str, name: str, reading: str, description: str = "",
            alternate_name: str = "", parent_id: str = "") -> Organization:
        record = Organization(org_id, name, reading, description, alternate_name,
                              parent_id=parent_id)
        orgs.append(record)
        locations.append(_location(record))
        return record

    def service(owner: Organization, service_id: str = "", **fields: Any) -> None:
        fields.setdefault("name", owner.name)
        fields.setdefault("reading", owner.reading)
        fields.setdefault("location_ids", (f"{owner.id}-loc",))
        services.append(Service(
            id=service_id or owner.id, organization_id=owner.id, service_area=ward, **fields,
        ))

    # 世田谷区社会福祉協議会 (the umbrella of the district offices and of the services below).
    # 000:163-165 (受託業務: 成年後見センター・生活困窮者自立相談支援センター).
    shakyo = org("shakyo", "世田谷区社会福祉協議会", "せたがやくしゃかいふくしきょうぎかい",
                 "地域福祉を推進する社会福祉法人。各地区に地区事務局を置く。", "社協")

    # 成年後見センター. 000:163-165, 002:1369-1377 (判断能力が十分でなく法律行為が難しい方を
    # 成年後見制度の利用につなぐ相談支援), 002:1062.
    service(
        shakyo, "seinen-kouken", name="成年後見センター",
        reading="せいねんこうけんせんたー",
        description="認知症や障害などで判断能力が十分でなく、自分で法律行為を行うことが難しい方が"
                    "家庭裁判所に選任された援助者（成年後見人・保佐人・補助人）による法的支援を"
                    "受けられるよう、成年後見制度の利用につなぐ相談支援、人材育成、普及啓発を行う。"
                    "社会福祉協議会の受託事業。",
        eligibility="判断能力が十分でない方とその家族・関係者",
        target_groups=_set(ELDERLY, DISABILITY), elements=_set(WELFARE),
        keywords=("成年後見", "後見人", "保佐", "補助人", "判断能力", "財産管理", "法律行為"),
    )
    # あんしん事業. 002:1373-1378 (成年後見制度利用前の支援: 福祉サービスの利用援助,
    # 日常的な金銭管理, 書類の預かり; 社会福祉協議会の事業).
    service(
        shakyo, "anshin-jigyo", name="あんしん事業（福祉サービス利用援助・日常的金銭管理）",
        reading="あんしんじぎょう",
        description="認知症や障害などにより生活に不安がある方、一人で福祉サービスの利用手続きを"
                    "行うことが難しい方に、社会福祉協議会の職員が福祉サービスの利用援助、日常的な"
                    "金銭管理、書類の預かりを行う（成年後見制度利用前の支援）。",
        eligibility="認知症や障害などにより生活に不安があり、福祉サービスの利用手続きが難しい方",
        target_groups=_set(ELDERLY, DISABILITY), elements=_set(WELFARE, LIVING),
        mode=ServiceMode.PROGRAMME,
        keywords=("金銭管理", "書類の預かり", "利用援助", "判断能力"),
    )
    # ふれあいサービス. 002:2378-2382 (家事支援・外出支援, 協力会員の派遣, 会員登録・利用契約),
    # 002:122, 002:2125.
    service(
        shakyo, "fureai", name="ふれあいサービス", reading="ふれあいさーびす",
        description="日常生活に支援が必要な世帯に、家事支援や外出の支援など日常生活の困りごとの"
                    "解決を支援する住民同士のたすけあいの活動。利用会員の自宅等に協力会員を派遣する。",
        eligibility="区内在住の高齢者や障害者、産前産後等で日常生活に支障がある方"
                    "（会員登録・利用契約が必要）",
        application_process="会員登録・利用契約",
        target_groups=_set(ELDERLY, DISABILITY), elements=_set(LIVING),
        secondary_groups=_set(CHILD), mode=ServiceMode.PROGRAMME,
        keywords=("家事", "外出", "たすけあい", "協力会員", "産前産後"),
    )

    # ぷらっとホーム世田谷 (生活困窮者自立相談支援センター). 000:163-165 (社協受託),
    # 002:1344-1351 (生活全般の困りごと, 支援プラン, 家計改善・就労準備), 002:534 (住居確保
    # 給付金; spelt 「ぶらっとホーム」 there), 002:2579-2582 (中間就労・仕事体験),
    # 002:2658-2661 (就労支援, 求人開拓), 002:1949 (お部屋探しサポートの対象).
    platform = org("platform", "ぷらっとホーム世田谷", "ぷらっとほーむせたがや",
                   "生活困窮者自立相談支援センター（社会福祉協議会の受託事業）。",
                   "生活困窮者自立相談支援センター", parent_id=shakyo.id)
    service(
        platform, name="ぷらっとホーム世田谷（生活困窮者自立相談支援センター）",
        description="生活全般にわたる困りごとの相談窓口。就労や心身の状況、地域社会との関係性など"
                    "生活困窮に至る背景を踏まえて支援・サービスの情報を提供し、一人ひとりの自立に"
                    "向けた支援プランに基づく支援（家計改善・就労準備・住居確保給付金等）を行う。"
                    "就労に不安のある方の中間就労・仕事体験、求人開拓等による継続的な就労支援、"
                    "受験生チャレンジ支援貸付も行う。",
        eligibility="生活に困窮している方（生活保護受給者の就労支援を含む）",
        target_groups=_set(POVERTY), elements=_set(LIVING, EMPLOYMENT),
        secondary_elements=_set(WELFARE, HOUSING),
        alternate_name="生活困窮者自立相談支援センター",
        keywords=("生活困窮", "ぶらっとホーム", "家計", "住居確保給付金", "就労準備", "中間就労",
                  "仕事体験", "受験生チャレンジ"),
    )

    # メルクマールせたがや. 002:2978-2981 (個別相談, 居場所プログラム, 家族支援, 多機関連携,
    # 生きづらさを抱えた若者), 002:2788 (不登校・ひきこもり対策の包括的支援), 002:3145.
    merkmal = org("merkmal", "世田谷若者総合支援センター「メルクマールせたがや」",
                  "せたがやわかものそうごうしえんせんたー めるくまーるせたがや",
                  alternate_name="メルクマールせたがや")
    service(
        merkmal, name="メルクマールせたがや（若者総合支援センター）",
        reading="めるくまーるせたがや わかものそうごうしえんせんたー",
        description="専門職による個別相談や居場所プログラム、家族支援や多機関連携等の複合的な"
                    "支援により、学校生活になじめない等の生きづらさ・困難を抱えた若者が自分らしく"
                    "生きるサポートを行う。",
        eligibility="生きづらさ・困難を抱えた若者とその家族",
        target_groups=_set(YOUTH), elements=_set(EDUCATION, PARTICIPATION),
        secondary_elements=_set(LIVING), alternate_name="若者総合支援センター",
        keywords=("生きづらさ", "学校生活", "居場所プログラム", "家族支援"),
    )

    # ひきこもり相談窓口「リンク」. 002:3142-3145 (ひきこもり支援の相談窓口, 重層的支援体制
    # 整備事業としてぷらっとホーム世田谷とメルクマールせたがやが共同運営), 002:544.
    link = org("link", "ひきこもり相談窓口「リンク」", "ひきこもりそうだんまどぐち りんく",
               "ぷらっとホーム世田谷とメルクマールせたがやが共同運営する相談窓口。",
               "リンク")
    service(
        link,
        description="ひきこもりの本人・家族の相談窓口。重層的支援体制整備事業として"
                    "ぷらっとホーム世田谷とメルクマールせたがやが共同で運営し、地域の支援機関と"
                    "連携して相談を受ける。",
        eligibility="ひきこもりの状態にある方とその家族（年齢は要確認）",
        target_groups=_set(YOUTH, OTHER), elements=_set(PARTICIPATION),
        secondary_groups=_set(POVERTY), secondary_elements=_set(LIVING),
        keywords=("ひきこもり", "引きこもり"),
    )

    # 三茶おしごとカフェ. 002:2642-2645 (ハローワーク窓口を併設, キャリアカウンセリング,
    # 職業紹介, 起業, 求人開拓, シニアマッチング R60), 002:542 / 002:2548-2550 (障害者、生活
    # 困窮者、若者、女性、高齢者など多様な層の就労支援の核).
    cafe = org("oshigoto-cafe", "三茶おしごとカフェ", "さんちゃおしごとかふぇ",
               alternate_name="三軒茶屋就労支援センター")
    service(
        cafe, name="三茶おしごとカフェ（三軒茶屋就労支援センター）",
        reading="さんちゃおしごとかふぇ さんげんぢゃやしゅうろうしえんせんたー",
        description="国のハローワーク窓口を併設した、仕事探しを総合的に支援する相談窓口。"
                    "キャリアカウンセリング、職業紹介、起業等多様な働き方の提案、求人開拓を行う。"
                    "シニアマッチング事業（R60-SETAGAYA）も実施。",
        eligibility="働きたい区民（障害者、生活困窮者、若者、女性、高齢者など）",
        target_groups=_set(ELDERLY, DISABILITY, YOUTH, POVERTY, OTHER),
        elements=_set(EMPLOYMENT), alternate_name="三軒茶屋就労支援センター",
        keywords=("仕事探し", "就職", "転職", "ハローワーク", "職業紹介", "キャリア", "起業"),
    )

    # 世田谷区障害者就労支援センター. 002:2687-2689 (一般就労の機会拡大, 就労支援・職場定着
    # 支援・生活面の支援を一体的に提供), 002:542.
    shuro = org("shogai-shuro", "世田谷区障害者就労支援センター",
                "せたがやくしょうがいしゃしゅうろうしえんせんたー")
    service(
        shuro,
        description="障害のある方の一般就労の機会拡大を図るとともに、安定・充実した社会生活を"
                    "送れるよう、就労支援、職場定着支援、生活面の支援を一体的に提供する。",
        eligibility="一般就労を目指す、または就労している障害のある方",
        target_groups=_set(DISABILITY), elements=_set(EMPLOYMENT),
        secondary_elements=_set(LIVING),
        keywords=("障害者雇用", "一般就労", "職場定着"),
    )

    # シルバー人材センター. 002:2673-2675 (高齢者のための臨時的・短期的・軽作業の仕事を
    # 請負・委任で引き受け会員に提供), 002:542.
    silver = org("silver", "シルバー人材センター", "しるばーじんざいせんたー")
    service(
        silver,
        description="高齢者のための臨時的・短期的・軽作業の仕事を民間、家庭、公共団体から請負・"
                    "委任の形で引き受け、会員に提供する。",
        eligibility="働く意欲のある高齢者（会員登録が必要）",
        application_process="会員登録",
        target_groups=_set(ELDERLY), elements=_set(EMPLOYMENT),
        secondary_elements=_set(PARTICIPATION), mode=ServiceMode.PROGRAMME,
        keywords=("臨時的", "短期的", "軽作業", "生きがい"),
    )

    # 住まいサポートセンター. 002:1925-1929 (お部屋探しサポート: 民間賃貸住宅の空き室情報),
    # 002:1949 (対象: 高齢者, 障害者, ひとり親世帯, 外国人の方のいる世帯, LGBTQの方,
    # ぷらっとホーム世田谷利用世帯), 002:536, 002:1851.
    sumai = org("sumai-support", "住まいサポートセンター", "すまいさぽーとせんたー")
    service(
        sumai,
        description="区と協定を結んだ不動産団体の協力の下、住宅確保要配慮者に民間賃貸住宅の"
                    "空き室情報を提供する「お部屋探しサポート」を行い、民間賃貸住宅への円滑な"
                    "入居を支援する。",
        eligibility="高齢者、障害者、ひとり親世帯、外国人の方のいる世帯、LGBTQの方、"
                    "ぷらっとホーム世田谷利用世帯など住まい探しに支援が必要な方",
        target_groups=_set(ELDERLY, DISABILITY, CHILD, POVERTY, OTHER),
        elements=_set(HOUSING),
        keywords=("お部屋探し", "部屋探し", "住まい探し", "民間賃貸", "賃貸", "入居", "転居"),
    )

    # 世田谷区居住支援協議会. 002:1930, 002:1955-1957 (平成29年設立; 区・不動産関係団体・
    # 社会福祉法人・NPO・居住支援法人で構成; 情報共有, 協議, 賃貸人向けセミナー), 002:138.
    kyoju = org("kyoju-shien", "世田谷区居住支援協議会", "せたがやくきょじゅうしえんきょうぎかい")
    service(
        kyoju,
        description="区の住宅部門と福祉部門、不動産関係団体、社会福祉法人、NPO法人、居住支援法人等が"
                    "連携・協働し、住宅確保要配慮者の民間賃貸住宅への円滑な入居を促進する協議会。"
                    "情報共有・協議、お部屋探しサポートの課題の検討、賃貸人・管理業者向けセミナー等"
                    "を行う。",
        eligibility="構成団体・関係機関の協議の場（区民の個別相談窓口ではない）",
        target_groups=_set(ELDERLY, DISABILITY, CHILD, POVERTY, OTHER),
        elements=_set(HOUSING), mode=ServiceMode.NETWORK,
        keywords=("居住支援", "住宅確保要配慮者"),
    )

    # 発達障害相談・療育センター「げんき」. 002:1136 (乳幼児期の発達支援の中核的拠点: 専門的な
    # 相談・アセスメント, 保育園・幼稚園等の関係機関支援), 002:1397 (情報発信, 講演会, 出前講座).
    genki = org("genki", "発達障害相談・療育センター「げんき」",
                "はったつしょうがいそうだん りょういくせんたー げんき", alternate_name="げんき")
    service(
        genki,
        description="乳幼児期の発達支援の中核的拠点として、発達障害に関する専門的な相談・"
                    "アセスメント及びフィードバック、保育園・幼稚園等の関係機関や障害児通所施設の"
                    "支援を行う。発達障害の理解促進のための情報発信・講演会・出前講座も行う。",
        eligibility="発達に心配のある子ども（主に乳幼児期）とその家族、関係機関",
        target_groups=_set(CHILD, DISABILITY), elements=_set(WELFARE),
        secondary_elements=_set(EDUCATION),
        keywords=("発達", "療育", "乳幼児期"),
    )

    # 世田谷保健所. 000:222-224 (保健所を中心に精神保健分野の地域包括ケアを検討),
    # 002:984 (健康推進課: すこやか歯科健診), 002:854.
    # Keywords 治療中断/未治療 are an inference from 000:222-224 with 002:1257 (多職種チームに
    # よる訪問支援; the seed does not say which office runs it): check.
    hokenjo = org("hokenjo", "世田谷保健所", "せたがやほけんじょ")
    service(
        hokenjo, role=Role.HOKENJO,
        description="区の保健所。精神保健分野の地域包括ケアの中心となり、健康推進（すこやか歯科健診"
                    "など）を担う。",
        eligibility="区民と関係機関",
        target_groups=EVERYONE, elements=_set(MEDICAL, PREVENTION),
        keywords=("精神保健", "精神疾患", "治療中断", "未治療", "健診"),
    )

    # せたがやホッと子どもサポート. 002:2949-2965 (子ども本人の意向に寄り添い助言・支援,
    # 関係機関への働きかけ; 相談内容: 対人関係, いじめ, 学校・教職員の対応, 家庭の悩み),
    # 002:2788 (権利擁護), 002:2809.
    hotto = org("hotto-kodomo", "せたがやホッと子どもサポート", "せたがやほっとこどもさぽーと")
    service(
        hotto,
        description="子どもの権利侵害への対応と権利擁護。子ども本人の意向に寄り添いながら助言や"
                    "支援を行い、子どもの最善の利益を目指して関係機関に協力・改善などの働きかけを"
                    "行う（対人関係の悩み、いじめ、学校・教職員の対応、家庭の悩み等）。",
        eligibility="子ども本人（保護者等からの相談も）",
        target_groups=_set(CHILD), elements=_set(EDUCATION),
        secondary_groups=_set(YOUTH), secondary_elements=_set(WELFARE),
        keywords=("いじめ", "子どもの権利", "権利侵害", "権利擁護", "対人関係", "教職員"),
    )

    # 青少年交流センター. 002:2993-2995 (主に39歳までの若者の居場所, 区内3か所: 池之上・野毛・
    # 希望丘, ユースワーカー), 002:2618-2624 (就労体験・就労支援プログラム P-work),
    # 002:3206-3214 (主体的なプログラム参加).
    seishonen = org("seishonen", "青少年交流センター", "せいしょうねんこうりゅうせんたー",
                    "中高生世代～39歳までの若者の居場所（区内3か所）。")
    places = [Location(f"seishonen-{code}", seishonen.id, f"青少年交流センター（{place}）",
                       _NO_CONTACT)
              for code, place in (("ikenoue", "池之上"), ("noge", "野毛"),
                                  ("kibougaoka", "希望丘"))]
    locations.extend(places)
    service(
        seishonen, location_ids=tuple(p.id for p in places), mode=ServiceMode.PLACE,
        description="主に39歳までの若者がふらっと立ち寄り、思い思いに過ごせる居場所。ユースワーカー"
                    "が若者の「やってみたい」を地域と一緒に応援し、主体的なプログラム活動や就労体験・"
                    "就労支援プログラム（P-work）を行う。区内3か所（池之上・野毛・希望丘）。",
        eligibility="中高生世代から39歳までの若者",
        target_groups=_set(YOUTH), elements=_set(PARTICIPATION, EDUCATION),
        secondary_groups=_set(CHILD), secondary_elements=_set(EMPLOYMENT),
        keywords=("居場所", "ユースワーカー", "P-work", "就労体験"),
    )

    # 男女共同参画センターらぷらす. 002:2699-2704 (女性のための働き方サポート相談: 就職・転職,
    # 職場の悩み, 子育てや介護と仕事の両立), 002:2720-2729 (女性のための起業・経営相談);
    # 002:2699 spells it 「らぶらす」.
    danjo = org("danjo", "男女共同参画センターらぷらす", "だんじょきょうどうさんかくせんたー らぷらす",
                alternate_name="らぷらす")
    service(
        danjo,
        description="女性のための働き方サポート相談（就職・転職、職場での悩み、子育てや介護と仕事の"
                    "両立、今後の働き方や生き方）をキャリアカウンセラー等が面接・電話で受ける。"
                    "女性のための起業・経営相談も行う。",
        eligibility="働き方・起業について相談したい女性",
        target_groups=_set(OTHER), elements=_set(EMPLOYMENT),
        secondary_groups=_set(CHILD), secondary_elements=_set(PARTICIPATION),
        keywords=("女性", "働き方", "両立", "起業", "らぶらす"),
    )

    # 高齢者安心コール. 002:2254-2259 (ひとり暮らし等の高齢者: 24時間365日対応の電話相談,
    # 定期的な電話訪問, 登録ボランティアによる訪問援助), 002:2281 (見守りステッカー), 002:537.
    call = org("anshin-call", "高齢者安心コール", "こうれいしゃあんしんこーる")
    service(
        call, mode=ServiceMode.PROGRAMME,
        description="ひとり暮らし等の高齢者が地域で安心して生活を続けられるよう、24時間365日対応の"
                    "電話相談、定期的な電話訪問、登録ボランティアによる訪問援助を行う。認知症の方の"
                    "見守りステッカーの連絡先にもなっている。",
        eligibility="ひとり暮らし等の高齢者",
        schedules=(Schedule("24時間365日（電話相談）"),),
        target_groups=_set(ELDERLY), elements=_set(LIVING),
        keywords=("ひとり暮らし", "一人暮らし", "24時間", "電話訪問", "見守りステッカー"),
    )

    # ファミリー・サポート・センター. 002:2395-2398 (子育ての手助けをしてほしい利用会員と
    # 援助会員の相互援助, 会員制), 002:2125.
    famisapo = org("famisapo", "ファミリー・サポート・センター", "ふぁみりー さぽーと せんたー")
    service(
        famisapo, mode=ServiceMode.PROGRAMME,
        description="子育ての手助けをしてほしい方（利用会員）と手助けができる方（援助会員）が、"
                    "身近な地域で子育ての相互援助を行う会員制の仕組み。",
        eligibility="子育て中の家庭（会員登録が必要）",
        application_process="会員登録",
        target_groups=_set(CHILD), elements=_set(LIVING),
        keywords=("預かり", "預ける", "送迎", "子育ての手助け", "相互援助"),
    )

    # 地区連携医. 002:736-746 (世田谷区医師会・玉川医師会の協力で各地区に配置; 事例検討・
    # 地区課題への医療的助言, 医療職・介護職のネットワークづくり), 002:302-304 (あんしんすこやか
    # センターの医療面のスキルアップ). Shipped once, ward-wide: the seeds name no doctor.
    renkei = org("chiku-renkei-i", "地区連携医事業", "ちくれんけいいじぎょう",
                 "世田谷区医師会・玉川医師会の協力による事業。")
    service(
        renkei, name="地区連携医", reading="ちくれんけいい", mode=ServiceMode.NETWORK,
        description="各地区に医療・介護連携の支援を担当する地区連携医を配置し、事例検討や地区課題"
                    "に関する医療的助言、医療職・介護職のネットワークづくり、あんしんすこやか"
                    "センターの医療面のスキルアップを行う。",
        eligibility="あんしんすこやかセンター・医療職・介護職（区民の直接の相談先ではない）",
        target_groups=_set(ELDERLY), elements=_set(MEDICAL),
        keywords=("医療的助言", "事例検討"),
    )
    _seed_002_entries(org, service)
    return orgs, services, locations


def _seed_002_entries(org: Any, service: Any) -> None:
    """Destinations seed 002 names that the first directory lacked (issue 15, item 4). Each
    cites its seed lines; the seeds give no contact data, so every one is 要確認 (not
    contact_confirmed) and where the seeds do not say who runs it, the owner is the ward itself
    with the department 要確認."""
    ku = org("setagaya-ku", "世田谷区", "せたがやく", "区の事業（担当部署は要確認）。")

    # せたがや若者サポートステーション. 002:2560, 002:2594-2596 (一般就労になじまず支援が必要な
    # 若者・就職氷河期世代: 相談, 集中訓練, 仕事講話, 職場体験, 定着・ステップアップ).
    saposute = org("wakamono-saposute", "せたがや若者サポートステーション",
                   "せたがやわかものさぽーとすてーしょん", alternate_name="サポステ")
    service(
        saposute,
        description="一般就労になじまず支援が必要な若者や就職氷河期世代の方に、相談、集中訓練、"
                    "仕事講話、職場体験、定着・ステップアップ支援を行う。",
        eligibility="一般就労になじまず支援が必要な若者、就職氷河期世代の方（詳細は要確認）",
        target_groups=_set(YOUTH), elements=_set(EMPLOYMENT),
        keywords=("サポステ", "職場体験", "就職氷河期", "仕事講話"),
    )

    # ほっとスクール. 002:2932 (心理的な理由等で不登校の児童・生徒の居場所, 3か所), 002:2936,
    # 002:2790.
    service(
        ku, "hot-school", name="ほっとスクール", reading="ほっとすくーる",
        mode=ServiceMode.PLACE,
        description="心理的な理由等により不登校の状態にある児童・生徒が、自分らしい進路の実現や"
                    "学校生活への復帰に向けて過ごす居場所（区内3か所、所在地は要確認）。",
        eligibility="不登校の状態にある区立小中学校の児童・生徒（詳細は要確認）",
        target_groups=_set(CHILD), elements=_set(EDUCATION),
        keywords=("不登校", "居場所", "学校に行けない", "登校しぶり"),
    )

    # 不登校支援チーム. 002:2807, 002:2909-2911 (心理職員・スクールソーシャルワーカー; 区立
    # 小中学校の要請に基づき児童・生徒や保護者へ働きかけ, 関係機関との連携).
    service(
        ku, "futoko-team", name="不登校支援チーム", reading="ふとうこうしえんちーむ",
        mode=ServiceMode.NETWORK,
        description="心理職員やスクールソーシャルワーカーで構成し、区立小中学校からの要請などに"
                    "基づき、福祉的課題のある児童・生徒やその保護者へ働きかけ、関係機関と連携する。",
        eligibility="区立小中学校からの要請による（区民の直接の相談先かは要確認）",
        target_groups=_set(CHILD), elements=_set(EDUCATION), secondary_elements=_set(WELFARE),
        keywords=("不登校", "スクールソーシャルワーカー"),
    )

    # まいぷれいす. 002:2842-2846 (生活困窮世帯の子どもと家庭を支える学習・生活支援事業),
    # 002:2851 (実施箇所数 2).
    service(
        ku, "my-place", name="学習・生活支援事業「まいぷれいす」", reading="まいぷれいす",
        mode=ServiceMode.PLACE, alternate_name="まいぷれいす",
        description="複合的な課題を抱える生活困窮世帯の子どもが安心して過ごせる環境で、学習・"
                    "生活習慣の定着と自ら生きる力を育む支援を行う（実施箇所・所在地は要確認）。",
        eligibility="生活困窮世帯の子どもと家庭（詳細は要確認）",
        target_groups=_set(CHILD, POVERTY), elements=_set(EDUCATION),
        secondary_elements=_set(LIVING),
        keywords=("学習支援", "生活習慣", "まいぷれいす"),
    )

    # 夜間・休日等こころの電話相談. 002:1786 (a row of the statistics only: the seed says nothing
    # more, so no hours or eligibility are given).
    service(
        ku, "kokoro-denwa", name="夜間・休日等こころの電話相談",
        reading="やかんきゅうじつとうこころのでんわそうだん",
        description="夜間・休日等のこころの電話相談（内容・受付時間は要確認）。",
        eligibility="要確認",
        target_groups=_set(DISABILITY, OTHER), elements=_set(MEDICAL),
        keywords=("こころ", "夜間", "休日", "電話相談"),
    )

    # がん相談. 002:1541, 002:1640-1646 (がん患者・経験者やその家族等の不安を和らげる; 一次相談).
    service(
        ku, "gan-soudan", name="がん相談", reading="がんそうだん",
        description="がん患者・経験者やその家族等の不安を和らげ、地域で自分らしい暮らしを続け"
                    "られるよう相談を受ける（一次相談）。",
        eligibility="がん患者・経験者とその家族等",
        target_groups=_set(OTHER), elements=_set(MEDICAL),
        keywords=("がん", "癌", "闘病"),
    )

    # せたがや一人歩きSOSネットワーク事業. 002:2140, 002:2336-2339 (認知症状のある高齢者や障害の
    # ある方が外出中に行方不明: 特徴を地域の協力者へメール配信; 24時間365日受付).
    service(
        ku, "hitoriaruki-sos", name="せたがや一人歩きSOSネットワーク事業",
        reading="せたがやひとりあるきえすおーえすねっとわーくじぎょう",
        mode=ServiceMode.PROGRAMME,
        description="認知症状のある高齢者や障害のある方が一人で外出中に道に迷い行方が分からなく"
                    "なったとき、その方の特徴を地域の協力者へメール配信し、早期の安全確保を目指す。",
        eligibility="高齢者（認知症状のある方など）や障害のある方とその家族",
        schedules=(Schedule("メール配信依頼は24時間365日受付"),),
        target_groups=_set(ELDERLY, DISABILITY), elements=_set(SAFETY),
        secondary_elements=_set(LIVING),
        keywords=("行方不明", "徘徊", "道に迷", "一人歩き"),
    )

    # 多職種チームによる訪問支援事業. 002:1059, 002:1253-1257 (保健師・精神保健福祉士・医師等;
    # 未治療・治療中断, 介入が困難な精神障害者へのアウトリーチ, 措置入院者の退院後支援).
    service(
        ku, "tashokushu-houmon", name="多職種チームによる訪問支援事業",
        reading="たしょくしゅちーむによるほうもんしえんじぎょう", mode=ServiceMode.NETWORK,
        description="保健師・精神保健福祉士・医師等の多職種チームが、保健福祉センターの地区担当"
                    "保健師と連携し、未治療・治療中断、介入が困難な精神障害者へのアウトリーチ支援"
                    "や措置入院者の退院後支援を行う。",
        eligibility="地区担当保健師を通じて（区民の直接の相談先ではない）",
        target_groups=_set(DISABILITY), elements=_set(MEDICAL),
        keywords=("アウトリーチ", "措置入院", "訪問支援"),
    )

    # せたがや災害ボランティアセンター. 002:3400 (世田谷ボランティア協会内に常設; 災害時の
    # ボランティア受け入れ・コーディネート), 002:3286, 002:545.
    kyokai = org("setagaya-volunteer", "世田谷ボランティア協会", "せたがやぼらんてぃあきょうかい")
    service(
        kyokai, "saigai-volunteer", name="せたがや災害ボランティアセンター",
        reading="せたがやさいがいぼらんてぃあせんたー", mode=ServiceMode.PROGRAMME,
        description="区との協定に基づき世田谷ボランティア協会内に常設。災害時にボランティアを"
                    "受け入れて活動をコーディネートし、平常時は災害ボランティア・コーディネーターの"
                    "育成や地域との連携を進める。",
        eligibility="区民・ボランティア希望者（詳細は要確認）",
        target_groups=_set(OTHER), elements=_set(SAFETY), secondary_elements=_set(PARTICIPATION),
        keywords=("災害", "ボランティア", "被災", "防災"),
    )

    # 自動通話録音機の貸出. 002:3305, 002:3311 (特殊詐欺被害の防止), 002:545, 002:3271.
    service(
        ku, "jido-rokuonki", name="自動通話録音機の貸出（特殊詐欺対策）",
        reading="じどうつうわろくおんきのかしだし", mode=ServiceMode.PROGRAMME,
        description="特殊詐欺被害の防止に向けて、自動通話録音機を貸し出す。",
        eligibility="要確認",
        target_groups=_set(ELDERLY, OTHER), elements=_set(SAFETY),
        keywords=("特殊詐欺", "詐欺", "振り込め", "録音機", "防犯"),
    )


@cache
def shipped_directory() -> Directory:
    """The ward's directory as the seeds describe it (built once; immutable)."""
    organizations: list[Organization] = []
    services: list[Service] = []
    locations: list[Location] = []
    for district in ref.DISTRICTS:
        o, s, loc = _district_entries(district)
        organizations += o
        services += s
        locations += loc
    for area in ref.AREAS:
        o, s, loc = _area_entries(area)
        organizations += o
        services += s
        locations += loc
    o, s, loc = _ward_entries()
    organizations += o
    services += s
    locations += loc
    return Directory(tuple(organizations), tuple(services), tuple(locations))
