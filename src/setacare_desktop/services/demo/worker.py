"""A large demo fill on two processors: a forked worker generates the rows, the fill writes them.

Generating a consultation (names, 相談内容, consents, referrals) costs about what writing it
costs, and both are Python holding one processor. From ``WORKER_FROM`` cases on, where ``fork``
exists (Linux; not Windows, whose desktops run small demos in-process), the fill forks a worker
that runs the same generator with the same random state and sends each insert's rows through a
pipe (as plain tuples; the parent converts them with the columns' types, as the in-process
fill does); the parent writes them in its one transaction, and indexes the search
texts, while the worker generates the next batch (the parent would otherwise wait for the
worker half of the time, and index everything after it). The rows are byte for byte those the in-process fill writes
(``tests/services/test_demo.py`` runs a pinned seed both ways). The worker never touches the
database: it inherits the parent's connection but does not use it, and it ends with ``os._exit``
(multiprocessing's own exit for a forked child), so nothing of it is closed or finalised there.
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
import traceback
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from setacare_desktop.services.demo.common import Phases, Shipment, next_id, write_shipped
from setacare_desktop.services.demo.consultations import Case
from setacare_desktop.services.demo.people import DemoPerson
from setacare_desktop.services.errors import ServiceError
from setacare_desktop.store import search as search_store

R = TypeVar("R")
#: (table name, column names, the rows' values as shipped)
RowsHook = Callable[[str, tuple[str, ...], list[tuple[Any, ...]]], None]
_log = logging.getLogger(__name__)

#: A fill of this many consultations or more forks a worker to generate them.
WORKER_FROM = 100_000


def available(cases: int, session: Session) -> bool:
    """Whether a fill of ``cases`` into this session's database uses a worker."""
    return (cases >= WORKER_FROM and session.get_bind().dialect.name == "sqlite"
            and sys.platform.startswith("linux")
            and "fork" in multiprocessing.get_all_start_methods())


def _work(job: Callable[[Shipment], Any], send: Connection, shipment: Shipment) -> None:
    try:
        send.send(("done", job(shipment)))
    except BaseException:  # whatever it was, the parent rolls back and says so
        send.send(("error", traceback.format_exc()))
    finally:
        send.close()


def pipelined(session: Session, tables: list[Any], job: Callable[[Shipment], R],
              phases: Phases, *, on_rows: RowsHook | None = None,
              on_referred: Callable[[list[Any]], None] | None = None) -> R:
    """Run ``job`` in a forked worker with a :class:`Shipment` giving ids of ``tables``; write
    what it ships in ``session`` (time counted as ``insert``), index the search texts it ships
    (``store.search.index_many``, counted as ``index``), and return what the job returns.
    A failure of the worker raises :class:`ServiceError` here (the worker's traceback goes to
    the log), so the fill's transaction rolls back. ``on_rows`` sees each insert's rows once
    written (table name, column names, unconverted values), ``on_referred`` each batch of cases
    to refer (``ShippedReferred``)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    dialect = session.get_bind().dialect
    shipment = Shipment(send.send, dialect, {t.name: next_id(session, t) for t in tables})
    worker = context.Process(target=_work, args=(job, send, shipment), daemon=True)
    session.connection()  # the transaction is open before the worker is forked
    worker.start()
    send.close()  # the worker holds the sending end now
    try:
        while True:
            try:
                message = receive.recv()
            except EOFError as error:
                raise ServiceError("デモデータの作成処理が途中で終了しました。") from error
            if message[0] == "rows":
                with phases("insert"):
                    write_shipped(session, *message[1:])
                if on_rows is not None:
                    on_rows(*message[1:])
            elif message[0] == "referred":
                if on_referred is not None:
                    on_referred(message[1])
            elif message[0] == "grams":
                with phases("index"):
                    search_store.index_grams(session, message[1])
            elif message[0] == "done":
                return message[1]  # type: ignore[no-any-return]
            else:
                _log.error("demo worker failed:\n%s", message[1])
                raise ServiceError("デモデータの作成処理が失敗しました（詳細はログにあります）。")
    finally:
        receive.close()
        worker.join(timeout=5)
        if worker.is_alive():
            worker.terminate()
            worker.join()


class ShippedReferred:
    """The cases to refer, sent to the fill as they are written, as plain tuples of what the
    referrals read of them (``referrals.Referrals``); :meth:`cases` makes them cases again."""

    def __init__(self, shipment: Shipment) -> None:
        self.shipment = shipment

    def extend(self, cases: Iterable[tuple[int, Case]], /) -> None:
        self.shipment.send(("referred", [
            (cid, case.row, case.groups, case.elements,
             None if case.person is None else case.person.id,
             case.person is not None and case.person.child,
             case.detail["urgency"], case.detail["consulter_relation"])
            for cid, case in cases]))

    @staticmethod
    def cases(shipped: list[Any]) -> list[tuple[int, Case]]:
        return [(cid, Case(row, groups, elements, None if person_id is None else DemoPerson(
            None, "", None, None, "", child=child, id=person_id),
            {"urgency": urgency, "consulter_relation": relation}, [], "", "", True))
            for cid, row, groups, elements, person_id, child, urgency, relation in shipped]
