"""Who may write: the dashboard only reads unless the operator set a password (`UNION_REVIEW_PASSWORD`,
or `review_password` in Streamlit secrets) and this browser session entered it. Every write goes
through a `Permit`, which only `permit()` hands out, and only then."""
from __future__ import annotations

import hashlib
import hmac
import os
import time
from dataclasses import dataclass

import streamlit as st

PASSWORD_ENV = "UNION_REVIEW_PASSWORD"
SECRET_KEY = "review_password"
_UNLOCKED = "_review_unlocked"  # session state: a digest of the password this session entered
_REVIEWER = "_reviewer"           # kept apart from the widget's own key, which Streamlit drops on other pages
_FAILS = "_review_failures"


def configured_password() -> str | None:
    """The operator's password, from the environment first, then Streamlit secrets; None when unset."""
    env = os.environ.get(PASSWORD_ENV, "")
    if env:
        return env
    try:
        value = st.secrets.get(SECRET_KEY)
    except Exception:  # no secrets.toml: Streamlit raises rather than returning nothing
        return None
    return str(value) if value else None


def _digest(password: str) -> str:
    return hashlib.sha256(("union-review\x00" + password).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Permit:
    """Proof, for the write functions, that this session may write; `reviewer` signs corrections."""
    reviewer: str
    _token: str


def permit() -> Permit | None:
    """A Permit when writing is on and this session entered the password (the current one: a changed
    password locks every session again); None otherwise."""
    password = configured_password()
    entered = st.session_state.get(_UNLOCKED)
    if not password or not entered or not hmac.compare_digest(entered, _digest(password)):
        return None
    return Permit(st.session_state.get(_REVIEWER, "").strip(), entered)


def check(p: object) -> Permit:
    """Raise unless `p` is a Permit that is still valid: the write functions call this first."""
    current = permit()
    if not isinstance(p, Permit) or current is None or not hmac.compare_digest(p._token, current._token):
        raise PermissionError("writing is not enabled for this session")
    return current


def gate(what: str = "核对和上传") -> Permit | None:
    """Render what a reader needs to unlock writing, and return the Permit once it is unlocked."""
    password = configured_password()
    if not password:
        st.info(f"只读模式：{what}功能未开启。管理员设置环境变量 {PASSWORD_ENV}（或 Streamlit secrets 中的 "
                f"{SECRET_KEY}）并重启看板后，输入密码即可使用。", icon=":material/lock:")
        return None
    p = permit()
    if p is not None:
        return p
    with st.form("review_login", border=True):
        st.markdown(f"**{what}需要密码**")
        entered = st.text_input("核对密码", type="password", key="review_password_input")
        ok = st.form_submit_button("进入", icon=":material/lock_open:")
    if ok:
        if entered and hmac.compare_digest(_digest(entered), _digest(password)):
            st.session_state[_UNLOCKED] = _digest(password)
            st.session_state.pop(_FAILS, None)
            st.rerun()
        fails = st.session_state.get(_FAILS, 0) + 1
        st.session_state[_FAILS] = fails
        time.sleep(min(5.0, 0.5 * fails))  # guessing costs time
        st.error("密码不对。")
    return None


def reviewer_box() -> str:
    """The reviewer's name, asked once per browser session (every page shows what was typed); ''
    until given."""
    if "reviewer_input" not in st.session_state:
        st.session_state["reviewer_input"] = st.session_state.get(_REVIEWER, "")
    name = st.text_input("核对人姓名（每次打开看板时填写一次，记入每条核对记录）", key="reviewer_input",
                         placeholder="例如：张三", max_chars=40)
    st.session_state[_REVIEWER] = (name or "").strip()
    return st.session_state[_REVIEWER]


def lock() -> None:
    st.session_state.pop(_UNLOCKED, None)
