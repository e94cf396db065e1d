#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""analytics_reference.py: the analytics stages in pandas, SciPy and
scikit-learn, as the baseline bench-analytics.c compares with

Usage: analytics_reference.py DB AS_OF K N_INIT DECIMALS

Reads the purchases of a Clientele database with the sqlite3 module and
does what ct_analytics_compute() does, stage by stage, the way a data
analyst would write it: RFM quintiles (type 7 quantiles, numpy's
"linear"), the BTYD summaries, BG/NBD and Gamma-Gamma fitted by maximum
likelihood (scipy.optimize.minimize on the log-likelihoods written in
numpy and scipy.special), P(alive), the expected purchases and the
predictive lifetime value month by month, KMeans on the standardised
log(1 + x) of recency days, frequency and monetary (major units), and the
KPIs (counts, revenue, funnel, cohort retention, cost per channel).

Prints one JSON object: {"stages": {name: seconds}, "inertia": ...,
"bgnbd": {...}, "gamma_gamma": {...}, "customers": n, ...}. Times are
wall clock (time.perf_counter), import time excluded.
"""
import json
import sqlite3
import sys
import time

import numpy as np
import pandas as pd
from scipy import optimize, special
from sklearn.cluster import KMeans

SECONDS_PER_DAY = 86400


def main_currency(con):
    # As ct_stats_load(): the currency most purchases use, ties by name.
    rows = con.execute("SELECT currency, count(*) FROM purchases"
                       " GROUP BY currency ORDER BY currency").fetchall()
    best, best_count = "CNY", 0
    for currency, count in rows:
        if count > best_count:
            best, best_count = currency if currency is not None else "CNY", count
    return best


def load_purchases(con, as_of):
    return pd.read_sql_query(
        "SELECT contact_id, purchased_at, amount, currency FROM purchases"
        " WHERE contact_id IS NOT NULL AND refunded = 0 AND purchased_at <= ?",
        con, params=(as_of,))


def rfm(purchases, as_of, currency):
    in_currency = purchases["amount"].where(purchases["currency"] == currency, 0)
    g = purchases.assign(main_amount=in_currency).groupby("contact_id", sort=True)
    customers = pd.DataFrame({
        "last": g["purchased_at"].max(),
        "first": g["purchased_at"].min(),
        "frequency": g.size(),
        "monetary": g["main_amount"].sum(),
    })
    customers["recency"] = (as_of - customers["last"]) // SECONDS_PER_DAY

    def cuts(values):
        return np.quantile(values.to_numpy(dtype=float), [0.2, 0.4, 0.6, 0.8], method="linear")

    rec_cuts = cuts(customers["recency"])
    freq_cuts = cuts(customers["frequency"])
    mon_cuts = cuts(customers["monetary"])
    # 1 + the number of cut points a value is above (5 − for recency).
    customers["r"] = 5 - (customers["recency"].to_numpy()[:, None] > rec_cuts).sum(axis=1)
    customers["f"] = 1 + (customers["frequency"].to_numpy()[:, None] > freq_cuts).sum(axis=1)
    customers["m"] = 1 + (customers["monetary"].to_numpy()[:, None] > mon_cuts).sum(axis=1)
    return customers


def btyd_summaries(purchases, as_of, currency, scale):
    p = purchases[purchases["currency"] == currency]
    p = p.assign(day=p["purchased_at"] // SECONDS_PER_DAY)
    daily = p.groupby(["contact_id", "day"], sort=True)["amount"].sum().reset_index()
    g = daily.groupby("contact_id", sort=True)
    first = g["day"].min()
    last = g["day"].max()
    days = g.size()
    spent = g["amount"].sum()
    first_day_spent = g["amount"].first()
    x = (days - 1).astype(float)
    repeat_spent = (spent - first_day_spent) / scale
    m_x = np.where(x > 0, repeat_spent / x.where(x > 0, 1), 0.0)
    return pd.DataFrame({
        "x": x,
        "t_x": (last - first).astype(float),
        "T": (as_of // SECONDS_PER_DAY - first).astype(float),
        "m_x": m_x,
    })


def bgnbd_loglik(params, x, t_x, T):
    r, alpha, a, b = params
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0,
                      np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
                      -np.inf)
    return np.sum(a1 + a2 + np.logaddexp(a3, a4))


def gamma_gamma_loglik(params, x, m):
    p, q, v = params
    px = p * x
    return np.sum(special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q)
                  + q * np.log(v) + (px - 1) * np.log(m) + px * np.log(x)
                  - (px + q) * np.log(x * m + v))


def fit(loglik, n_params, *data):
    # In log parameters, so that every parameter stays positive.
    def objective(u):
        value = -loglik(np.exp(u), *data)
        return value if np.isfinite(value) else 1e300

    result = optimize.minimize(objective, np.zeros(n_params), method="BFGS")
    if not np.all(np.isfinite(result.x)):
        result = optimize.minimize(objective, np.zeros(n_params), method="Nelder-Mead")
    return np.exp(result.x), -result.fun


def conditional_expected(params, t, x, t_x, T):
    r, alpha, a, b = params
    z = t / (alpha + T + t)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    first = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    second = 1 + np.where(x > 0, a / np.maximum(b + x - 1, 1e-300), 0) \
        * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return first / second


def p_alive(params, x, t_x, T):
    r, alpha, a, b = params
    second = np.where(x > 0, a / np.maximum(b + x - 1, 1e-300), 0) \
        * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return 1 / (1 + second)


def score(bgnbd, gg, s, horizon_months, discount_rate):
    x, t_x, T, m = (s[c].to_numpy() for c in ("x", "t_x", "T", "m_x"))
    alive = p_alive(bgnbd, x, t_x, T)
    units_per_year = 365.0
    step = units_per_year / 12
    previous = np.zeros_like(x)
    clv = np.zeros_like(x)
    for k in range(1, horizon_months + 1):
        t = k * step
        cumulative = conditional_expected(bgnbd, t, x, t_x, T)
        clv += (cumulative - previous) / (1 + discount_rate) ** (t / units_per_year)
        previous = cumulative
    expected = previous
    p, q, v = gg
    paying = (x > 0) & (m > 0)
    xs = np.where(paying, x, 0)
    spend = p * (v + xs * np.where(paying, m, 0)) / (p * xs + q - 1)
    return alive, expected, clv * spend


def kpis(con, purchases, customers, as_of, currency, scale):
    contacts = pd.read_sql_query("SELECT id, status, email, channel_id FROM contacts", con)
    everyone = pd.read_sql_query(
        "SELECT amount FROM purchases WHERE refunded = 0 AND purchased_at <= ? AND currency = ?",
        con, params=(as_of, currency))
    n_contacts = len(contacts)
    n_customers = len(customers)
    repeat = int((customers["frequency"] >= 2).sum())
    orders = len(everyone)
    revenue = int(everyone["amount"].sum())
    result = {
        "contacts": n_contacts, "customers": n_customers, "repeat_customers": repeat,
        "orders": orders, "revenue": revenue / scale,
        "average_order_value": round(revenue / orders) / scale if orders else 0,
        "conversion_rate": n_customers / n_contacts if n_contacts else 0,
        "repeat_purchase_rate": repeat / n_customers if n_customers else 0,
        "funnel": {
            "potential": n_contacts,
            "contacted": int(((contacts["status"] == "subscribed")
                              & contacts["email"].fillna("").ne("")).sum()),
            "converted": n_customers,
            "retained": repeat,
            "loyal": int((customers["frequency"] >= 5).sum()),
        },
    }
    # Cohort retention: buyers by first-purchase month and months since.
    # Months as whole numbers (year × 12 + month), so that the offsets are
    # a vectorised subtraction rather than a Python call per purchase.
    when = pd.to_datetime(purchases["purchased_at"], unit="s")
    p = pd.DataFrame({"contact_id": purchases["contact_id"],
                      "month": when.dt.year * 12 + when.dt.month - 1})
    cohort = p.groupby("contact_id")["month"].transform("min")
    p["offset"] = p["month"] - cohort
    p["cohort"] = cohort
    table = p.drop_duplicates(["contact_id", "offset"]).pivot_table(
        index="cohort", columns="offset", values="contact_id", aggfunc="count", fill_value=0)
    result["retention_cohorts"] = len(table)
    # Cost per new customer and channel over the last 12 whole months.
    as_of_month = pd.Timestamp(as_of, unit="s").to_period("M")
    first_month = (as_of_month - 12).strftime("%Y-%m")
    last_month = (as_of_month - 1).strftime("%Y-%m")
    spend = pd.read_sql_query(
        "SELECT channel_id, sum(amount) AS spend FROM channel_spend"
        " WHERE month BETWEEN ? AND ? AND currency = ? GROUP BY channel_id",
        con, params=(first_month, last_month, currency))
    first_purchase = pd.to_datetime(customers["first"], unit="s").dt.to_period("M")
    new = customers[(first_purchase >= as_of_month - 12) & (first_purchase <= as_of_month - 1)]
    new_by_channel = contacts.set_index("id").loc[new.index, "channel_id"].value_counts()
    spend["new_customers"] = spend["channel_id"].map(new_by_channel).fillna(0)
    spend["cost_per_customer"] = spend["spend"] / spend["new_customers"].where(spend["new_customers"] > 0)
    result["channels"] = len(spend)
    return result


def main():
    path, as_of, k, n_init, decimals = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), int(sys.argv[5])
    scale = 10.0 ** decimals
    stages = {}
    out = {}

    t0 = time.perf_counter()
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    con.execute("BEGIN")
    currency = main_currency(con)
    purchases = load_purchases(con, as_of)
    stages["load"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    customers = rfm(purchases, as_of, currency)
    stages["rfm"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    summaries = btyd_summaries(purchases, as_of, currency, scale)
    stages["btyd_summaries"] = time.perf_counter() - t0

    x, t_x, T = (summaries[c].to_numpy() for c in ("x", "t_x", "T"))
    t0 = time.perf_counter()
    bgnbd, bgnbd_ll = fit(bgnbd_loglik, 4, x, t_x, T)
    stages["bgnbd_fit"] = time.perf_counter() - t0

    spenders = summaries[(summaries["x"] > 0) & (summaries["m_x"] > 0)]
    t0 = time.perf_counter()
    gg, gg_ll = fit(gamma_gamma_loglik, 3, spenders["x"].to_numpy(), spenders["m_x"].to_numpy())
    stages["gamma_gamma_fit"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    alive, expected, clv = score(bgnbd, gg, summaries, 12, 0.10)
    stages["btyd_scoring"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    features = np.log1p(np.column_stack([customers["recency"].to_numpy(dtype=float),
                                         customers["frequency"].to_numpy(dtype=float),
                                         customers["monetary"].to_numpy(dtype=float) / scale]))
    sd = features.std(axis=0)
    features = (features - features.mean(axis=0)) / np.where(sd > 0, sd, 1)
    km = KMeans(n_clusters=k, n_init=n_init, init="k-means++", random_state=0).fit(features)
    stages["kmeans"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    out["kpis"] = kpis(con, purchases, customers, as_of, currency, scale)
    stages["kpis"] = time.perf_counter() - t0
    con.close()

    out.update({
        "stages": stages,
        "currency": currency,
        "customers": len(customers),
        "repeat_buyers": int((summaries["x"] > 0).sum()),
        "bgnbd": dict(zip(("r", "alpha", "a", "b"), bgnbd.tolist()), loglik=bgnbd_ll),
        "gamma_gamma": dict(zip(("p", "q", "v"), gg.tolist()), loglik=gg_ll),
        "predictive_total": float(np.nansum(clv)),
        "inertia": float(km.inertia_),
        "kmeans_iterations": int(km.n_iter_),
    })
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
