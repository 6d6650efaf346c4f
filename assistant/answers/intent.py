"""What kind of message this is, by Korean rules: a request for a person, out of scope,
a topic that needs a human judgement, a supplier search, a follow-up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HUMAN_REQUEST = re.compile(
    r"(전문가|상담원|상담사|담당자|멘토|컨설턴트|사람|직원|매니저|관리자)\s*(님)?\s*"
    r"(을|를|이랑|랑|하고|과|와|에게|한테|께|이|가|분|에게서)?\s*(좀\s*)?"
    r"(연결|바꿔|바꾸|통화|상담|얘기|이야기|대화|직접|만나|불러|부탁|문의|여쭤|여쭙|연락|답변\s*받)"
    r"|(사람|전문가|상담원|담당자)\s*(이|가)?\s*(답|대답|상담)해\s*(주|줘)"
    r"|전화\s*(상담|통화|연결)|(통화|상담)\s*(가능|할\s*수|하고\s*싶|원해)"
    r"|직접\s*(여쭤|여쭙|문의|상담|통화|얘기)"
    r"|(봇|챗봇|기계|AI)\s*(말고|아니고|대신)"
    r"|사람\s*(이랑|하고|과|한테)?\s*(말|얘기)"
    r"|(전문가|멘토|컨설턴트|상담원|담당자)\s*(분|님)?\s*(이|가|께|께서|한테|에게|이랑|랑|과|와)?\s*.{0,14}"
    r"(직접|연결|이야기|얘기|질문\s*남|물어\s*볼|여쭤|통화|방문|봐\s*주|비교해\s*주)"
    r"|상담\s*(예약|신청|받고\s*싶)|통화\s*(되는|가능한)\s*(분|사람)|방문\s*상담|설명\s*듣고\s*싶",
)

_OUT_OF_SCOPE = re.compile(
    r"날씨|기온|미세먼지|비\s*(와|오|올)|우산|주식|주가|종목|코인|비트코인|가상화폐|로또|복권|환율\s*전망"
    r"|야구|축구|농구|배구|올림픽|월드컵|경기\s*결과|스코어|연예인|아이돌|드라마|영화\s*추천|노래\s*추천|맛집"
    r"|레시피|요리법|만드는\s*법.*(찌개|국|빵|케이크|김치)|다이어트|운세|사주|궁합|타로|연애|여자\s*친구|남자\s*친구"
    r"|이혼|양육권|상속\s*분쟁|층간\s*소음|교통사고\s*합의|여행\s*(지|추천|코스)|숙제|과제\s*(대신|해\s*줘)"
    r"|(자바|파이썬|코딩|프로그래밍|C언어)\s*(숙제|과제)|시\s*(한\s*편|써\s*줘)|농담|심심|놀아\s*줘|게임\s*추천"
    r"|자이언츠|타이거즈|트윈스|라이온즈|베어스|이글스|위즈|랜더스|다이노스|히어로즈|이겼|몇\s*골|골\s*넣|시즌"
    r"|끓이는\s*법|점심|저녁\s*메뉴|뭐\s*먹|열애|배우|가수|손흥민",
)

# off topic even among plant words ("파이썬 과제" is homework, not a subsidy 과제)
_OUT_OF_SCOPE_ALWAYS = re.compile(
    r"(자바|파이썬|코딩|프로그래밍|C언어|자바스크립트)\s*:?\s*(숙제|과제)|숙제|버블\s*정렬|코드\s*(좀\s*)?짜",
)

_GREETING = re.compile(
    r"^\s*(안녕|안녕하세요|하이|반가워|반갑습니다|고마워|감사합니다|ㅎㅇ"
    r"|(?:hi|hello|hey)(?: there)?|good (?:morning|afternoon|evening)|thanks?(?: you)?)[\s!.?~]*$", re.I)

_NEEDS_HUMAN = re.compile(
    r"소송|고소|고발|손해\s*배상|배상\s*청구|법적\s*(대응|조치|책임|분쟁)|계약\s*(위반|해지\s*분쟁|분쟁|불이행)"
    r"|위약금|내용\s*증명|분쟁|변호사|노무\s*(분쟁|사건)|부당\s*해고|임금\s*체불|산재\s*(인정|처리|판정)"
    r"|안전\s*장치\s*(없이|빼|해제|떼)|안전\s*(판단|판정)"
    r"|법적으로|불법|해고|노동청|특허|침해|베꼈|면허\s*(없|안)|서명해도|몰아도|펜스\s*없이|안전\s*인증"
    r"|폭발|중대\s*재해|처벌|과태료\s*(다툼|이의)|이의\s*신청.*(승산|이길)|환수.*(이의|소송|이길|승산)",
)

# what only a record or today's notice can answer: the knowledge's figures are examples
_NEEDS_RECORDS = re.compile(
    r"실제\s*공고|공식\s*공고|공고\s*기준|예시\s*말고|오늘\s*기준|이번\s*달.{0,12}(공고|모집)|공고\s*떴"
    r"|(우리|저희)\s*(과제|회사|신청).{0,20}(조회|몇\s*점|어디까지|진행\s*상황|심사)|접수\s*번호|경정\s*청구"
    r"|몇\s*점\s*받았",
)

_SUPPLIER = re.compile(
    r"(업체|회사|공급\s*기업|공급사|벤더|솔루션\s*사|협력사|시공사|구축사|곳|데)\s*(좀\s*)?"
    r"(추천|소개|알려|찾아|찾고|있나|있을까|있어|어디|연결)"
    r"|추천\s*(해|좀|부탁|받을)|어디(가|에|서|에서)?\s*(잘|좋|맡기|하|구축|해\s*줘|할\s*수)"
    r"|(해\s*줄|해줄|해\s*주는|해주는|구축해\s*줄|맡길|도입해\s*줄|들여\s*줄|할\s*수\s*있는|볼\s*수\s*있는|잡아\s*줄)"
    r"\s*(만한\s*)?(곳|업체|회사|데|공급사|공급기업)"
    r"|(업체|공급사|공급기업|회사|곳)\s*(\?|있(음|나|을까|어요)|찾|필요)"
    r"|(MES|ERP|PLM|SCM|시스템|솔루션|자동화|검사|센서|보안)\S{0,3}\s*.{0,6}(찾아요|찾습니다|찾고|있나요|있을까요|필요해요|필요합니다)"
    r"|\S*(줄|주실)\s*수\s*있는\s*(곳|업체|회사|데)|가능한\s*(업체|곳|회사)|(통으로|한\s*곳에)\s*맡기"
    r"|어디(다|에다)?\s*맡겨|적합한\s*(공급|업체|회사)",
    re.I,
)

# "이거 줄인 회사 있나", "종이 일보 없앤 데 있어요?": a plant that has done it (a case), not a
# supplier to hire ("해 줄 곳", "잘하는 업체")
_DID_IT = re.compile(
    r"(줄인|줄였|없앤|없앴|바꾼|바꿨|개선한|해결한|도입한|성공한|해\s*본|써\s*본|효과\s*본|늘린|올린|낮춘|잡은|잡았)"
    r"\s*(\S+\s*){0,2}?(데|곳|회사|공장|업체|기업)\s*(이\s*|가\s*)?(있|\?)"
)

_FOLLOW_UP = re.compile(
    r"^\s*(그럼|그러면|그렇다면|그래서|그리고|근데|그런데|그건|그거|그것|거기|그\s*업체|그\s*회사|그곳|이건|이거|저건|저거|그\s*중|그중|아까|방금|위에|그\s*다음|다음\s*단계|또|더)"
    r"|^\s*\S{1,8}(은|는|도)\s*요?\s*[?？]?\s*$"  # "연락처는요?", "고도화는?"
    r"|(그거|그것|거기|그\s*업체|그\s*회사|그곳|이\s*업체|그\s*제도|그\s*사업|그\s*단계)"
    # a short question about an aspect of what was just discussed: "비용 들어요?", "기간은 얼마나 걸려요?"
    r"|^\s*(비용|돈|기간|시간|금액|서류|절차|조건|대상|기한|수수료|혜택)\S{0,2}\s+[^?？]{0,10}[?？]?\s*$",
)

_DOMAIN = re.compile(
    r"공장|제조|생산|설비|장비|기계|라인|공정|품질|불량|검사|재고|자재|로트|MES|ERP|PLM|SCM|PLC|IoT|(?<![A-Za-z])AI|센서"
    r"|스마트|자동화|지원|보조|사업|정책|신청|공고|부담|매칭|융자|수준|테크노파크|클러스터|공급|업체|구축"
    r"|도입|비용|견적|유지\s*보수|보안|데이터|시스템|OEE|가동|예지|보전|멘토|컨설팅|HACCP|인증|계약"
    r"|고도화|기초|지방비|지원금|과제|납품|원가|작업|현장|사장|대표|직원|인력|교육|세액|융자|자금|로드맵|수출"
    r"|창고|물류|출하|납기|리드\s*타임|금형|사출|가공|용접|도장|포장|원료|자재|협력|발주|정산|환수|점검|평가"
    r"|로봇|알람|에러|오류|고장|CNC|선반|프레스|인버터|모터|컨베이어|지게차|클린룸|도금|배합|HMI|서보|리셋"
    # plant operation the knowledge may not cover: still an expert's question, never "out of scope"
    r"|호퍼|건조기|드라이어|과열|RFID|팔레트|파레트|레이저|절단|절삭|연삭|밀링|파라미터|가공\s*조건|히터|유압|공압"
    r"|냉각|칠러|컴프레서|압축기|보일러|밸브|펌프|베어링|윤활|바코드|QR|태그|불량률|PPM|양품|사이클|택트|가동률"
    r"|비가동|노즐|스크류|실린더|감속기|용접기|철판|판재|원자재|부품|공구|치공구|지그|계측|측정|게이지|교정|금속"
    r"|기공소|미싱|태블릿|실적|작업자|반장|공장장|퀵비"
    # the subsidy's own steps and duties: "성과보고 깜빡하고 안 내면 어떻게 돼요?" is a question for us
    r"|성과\s*보고|사후\s*관리|협약|선정|탈락|가점|대납|페이백|부정\s*수급|최종\s*점검"
    r"|발생기|필터|순도|습도|도장\s*부스|질소|배관|공조|집진|분진|누설|누유|열처리|사출품",
    re.I,
)
# the same in English (Latin acronyms only as whole words: "MES" is not in "times")
_DOMAIN_EN = re.compile(
    r"(?<![A-Za-z])(factor(y|ies)|plant|manufactur\w*|production|machin\w*|equipment|defects?|quality|inventory"
    r"|OEE|PPM|MES|ERP|PLC|IoT|CNC|subsid\w*|grants?|smart|sensors?|maintenance|downtime|suppliers?|vendors?"
    r"|loans?|co-?payment|matching|warehouse|yield|scrap|mold|mould|injection|welding|assembly|lots?"
    # plant operation the knowledge may not cover, as in Korean above: an expert's question, not "out of scope"
    r"|robots?|alarms?|anomal\w*|breakdowns?|lathes?|press(es)?|inverters?|motors?|conveyors?|forklifts?|clean\s?rooms?"
    r"|plating|HMI|servos?|hoppers?|dryers?|overheat\w*|RFID|pallets?|laser|cutting|milling|heaters?|hydraulic"
    r"|pneumatic|chillers?|compressors?|boilers?|valves?|pumps?|bearings?|lubrica\w*|barcodes?|QR|cycle\s+time"
    r"|uptime|vibration|thermal|electrical\s+panels?|labels?|jigs?|gauges?|calibrat\w*|sheet\s+metal|raw\s+materials?"
    r"|operators?|shop\s+floor|foreman|foremen|traceab\w*|HACCP|inspection|escrow\w*|source\s+code|ransomware"
    r"|backups?|quotations?|on-?site\s+review|business\s+plan|sewing|print(ing)?\s+shop|dental\s+lab)(?![A-Za-z])",
    re.I,
)
_OUT_OF_SCOPE_EN = re.compile(
    r"(?<![A-Za-z])(weather|forecast|recipes?|cook(ing)?|stock\s*(price|tip|market)s?|bitcoin|crypto|lott(o|ery)"
    r"|football|soccer|baseball|movies?|songs?|horoscope|dating|girlfriend|boyfriend|vacation|holiday|restaurant)"
    r"(?![A-Za-z])",
    re.I,
)
_HANGUL = re.compile(r"[가-힣]")
_HUMAN_REQUEST_EN = re.compile(r"(talk|speak|connect\s*me)\s*(to|with)\s*(a|an|the)?\s*(human|person|expert|mentor|consultant)", re.I)

_REGIONS = {
    "서울": ["서울"], "경기": ["경기", "수원", "화성", "안산", "시흥", "평택", "부천", "김포", "파주", "용인", "성남"],
    "인천": ["인천"], "부산": ["부산"], "대구": ["대구"], "광주": ["광주광역시", "광주"], "대전": ["대전"],
    "울산": ["울산"], "세종": ["세종"], "강원": ["강원", "원주", "춘천", "강릉"], "충북": ["충북", "충청북도", "청주", "충주"],
    "충남": ["충남", "충청남도", "천안", "아산", "당진"], "전북": ["전북", "전라북도", "전주", "익산", "군산"],
    "전남": ["전남", "전라남도", "여수", "순천", "목포"], "경북": ["경북", "경상북도", "구미", "포항", "경산"],
    "경남": ["경남", "경상남도", "창원", "김해", "양산", "진주", "거제"], "제주": ["제주"],
}

_INDUSTRIES = {
    "식품": ["식품", "음식", "김치", "제과", "떡", "음료", "소스", "반찬", "HACCP", "해썹"],
    "금속가공": ["금속", "판금", "도금", "열처리", "단조", "주조", "프레스"],
    "기계부품": ["기계부품", "기계 부품", "정밀가공", "CNC", "기계"],
    "자동차부품": ["자동차", "차부품", "완성차"],
    "사출성형": ["사출", "금형", "플라스틱"],
    "전자부품": ["전자", "SMT", "PCB", "반도체"],
    "화학": ["화학", "도료", "페인트", "접착제"],
    "섬유·봉제": ["봉제", "섬유", "의류", "염색", "원단", "니트"],
    "인쇄": ["인쇄", "출판", "포장재", "라벨"],
    "치과기공": ["치과", "기공", "보철"],
    "화장품": ["화장품", "코스메틱"],
    "제약": ["제약", "의약품", "GMP"],
    "목재·가구": ["가구", "목재", "원목"],
}


@dataclass
class Intent:
    human_request: bool = False
    out_of_scope: bool = False
    greeting: bool = False
    needs_human: bool = False
    needs_records: bool = False  # today's notices or the company's own records
    supplier: bool = False
    follow_up: bool = False
    in_domain: bool = False
    region: str | None = None
    industry: str | None = None
    matched: list[str] = field(default_factory=list)


def find_region(text: str) -> str | None:
    for region, names in _REGIONS.items():
        if any(n in text for n in names):
            return region
    return None


def find_industry(text: str) -> str | None:
    low = text.lower()
    for industry, words in _INDUSTRIES.items():
        if any(w.lower() in low for w in words):
            return industry
    return None


def classify(text: str) -> Intent:
    intent = Intent()
    intent.human_request = bool(_HUMAN_REQUEST.search(text) or _HUMAN_REQUEST_EN.search(text))
    intent.greeting = bool(_GREETING.match(text))
    korean = bool(_HANGUL.search(text))  # the Korean rules' Latin acronyms are loose inside English words
    intent.in_domain = bool((korean and _DOMAIN.search(text)) or _DOMAIN_EN.search(text))
    off_topic = _OUT_OF_SCOPE.search(text) or _OUT_OF_SCOPE_EN.search(text)
    intent.out_of_scope = (bool(off_topic) and not intent.in_domain) or bool(_OUT_OF_SCOPE_ALWAYS.search(text))
    intent.in_domain = intent.in_domain and not intent.out_of_scope
    intent.needs_human = bool(_NEEDS_HUMAN.search(text))
    intent.needs_records = bool(_NEEDS_RECORDS.search(text))
    intent.supplier = bool(_SUPPLIER.search(text)) and not intent.human_request and not _DID_IT.search(text)
    intent.follow_up = bool(_FOLLOW_UP.search(text))
    intent.region = find_region(text)
    intent.industry = find_industry(text)
    return intent
