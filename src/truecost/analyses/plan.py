"""``truecost plan``: the cost of a feature before launch, from its token math and cost stack.

Per request, averaged over the turns of a conversation of ``T`` turns (turn
``k`` resends the system prompt and the ``k - 1`` earlier user messages and
answers, so a 5-turn conversation sends the system prompt and the first message
five times)::

    system_prompt = S                  retrieval    = chunks x tokens per chunk
    history       = (T - 1) / 2 x (U + O)
    user_message  = U                  output       = O

Input components are priced at the input rate, except the system prompt and
history when prompt caching is on (``prompt_cache_hit_share`` above 0): hits
at the cache-read rate, misses at the cache-write rate. Output is priced at the
output rate. A ``batch_share`` of requests uses the batch price, a routing mix
weights each model by its share, and a ``semantic_cache_hit_share`` of requests
is served from a cache without a model call.

Point estimates evaluate every range at its midpoint in exact ``Decimal``. The
P10/P50/P90 come from a Monte Carlo run with a fixed seed, in float64, and are
rounded half to even to 1e-9 USD (``truecost.analyses.uncertainty``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Generic

from truecost.analyses.coststack import StackLine, Volume, feature_stack_lines, stack_total
from truecost.analyses.plan_prices import RoutePrice, TokenRates, price_routes
from truecost.analyses.plan_scenario import Scenario
from truecost.analyses.scale import ScaleAdvice, scale_advice
from truecost.analyses.uncertainty import MID, FloatArray, N, Resolver, SampleResolver, percentiles
from truecost.config.coststack import CostStackConfig
from truecost.config.scale import ScaleConfig
from truecost.pricing import PriceCatalog

COMPONENTS = ("system_prompt", "history", "retrieval", "user_message", "output")
CACHEABLE = frozenset({"system_prompt", "history"})
FIGURES = (
    "token_usd_per_request",
    "token_usd_per_day",
    "token_usd_per_month",
    "stack_usd_per_month",
    "total_usd_per_month",
    "total_usd_per_day",
    "total_usd_per_request",
    "total_usd_per_outcome",
)


@dataclass(frozen=True)
class RequestMath(Generic[N]):
    """Tokens and USD of one average request, by component."""

    tokens: dict[str, N]
    usd: dict[str, N]


def request_math(scenario: Scenario, prices: list[RoutePrice], r: Resolver[N]) -> RequestMath[N]:
    """Compute the tokens and cost of an average request under one resolver."""
    turns = r.pick(scenario.turns_per_conversation)
    user = r.pick(scenario.user_message_tokens)
    output = r.pick(scenario.output_tokens)
    tokens = {
        "system_prompt": r.pick(scenario.system_prompt_tokens),
        "history": (turns - 1) / 2 * (user + output),
        "retrieval": r.pick(scenario.retrieved_chunks) * r.pick(scenario.tokens_per_chunk),
        "user_message": user,
        "output": output,
    }
    hit = r.pick(scenario.prompt_cache_hit_share)
    caching = scenario.prompt_cache_hit_share.high > 0
    batch = r.pick(scenario.batch_share)
    called = 1 - r.pick(scenario.semantic_cache_hit_share)
    usd = {name: r.const(0) for name in COMPONENTS}
    for price in prices:
        share = r.const(price.route.share)
        for kind_share, rates in ((1 - batch, price.standard), (batch, price.batch)):
            weight = share * kind_share * called
            for name in COMPONENTS:
                rate = _token_rate(name, rates, hit, caching, r)
                usd[name] = usd[name] + weight * tokens[name] * rate
    return RequestMath(tokens, usd)


def _token_rate(name: str, rates: TokenRates, hit: N, caching: bool, r: Resolver[N]) -> N:
    if name == "output":
        return r.const(rates.output)
    if caching and name in CACHEABLE:
        return hit * r.const(rates.cache_read) + (1 - hit) * r.const(rates.cache_write)
    return r.const(rates.input)


def daily_volume(scenario: Scenario, r: Resolver[N]) -> tuple[N, N]:
    """Return requests and conversations (outcomes) per day."""
    turns = r.pick(scenario.turns_per_conversation)
    if scenario.requests_per_day is not None:
        requests = r.pick(scenario.requests_per_day)
        return requests, requests / turns
    assert scenario.conversations_per_day is not None
    conversations = r.pick(scenario.conversations_per_day)
    return conversations * turns, conversations


def plan_figures(
    scenario: Scenario, prices: list[RoutePrice], stack: CostStackConfig, r: Resolver[N]
) -> dict[str, N]:
    """Compute every figure of ``FIGURES`` under one resolver."""
    math = request_math(scenario, prices, r)
    per_request = sum(math.usd.values(), r.const(0))
    requests, outcomes = daily_volume(scenario, r)
    days = r.const(scenario.days_per_month)
    token_month = per_request * requests * days
    volume = Volume(months=r.const(1), requests=requests * days, outcomes=outcomes * days)
    non_token = r.const(0)
    if scenario.coststack is not None:
        non_token = stack_total(stack, scenario.coststack, volume, r)
    total_month = token_month + non_token
    return {
        "token_usd_per_request": per_request,
        "token_usd_per_day": per_request * requests,
        "token_usd_per_month": token_month,
        "stack_usd_per_month": non_token,
        "total_usd_per_month": total_month,
        "total_usd_per_day": total_month / days,
        "total_usd_per_request": total_month / (requests * days),
        "total_usd_per_outcome": total_month / (outcomes * days),
    }


@dataclass(frozen=True)
class Estimate:
    """A figure at midpoint inputs (exact) and its simulated P10, P50 and P90."""

    point: Decimal
    p10: Decimal
    p50: Decimal
    p90: Decimal


@dataclass(frozen=True)
class FlatComparison:
    """The flat estimate (all tokens at the input rate) beside the full token math, per month."""

    tokens_per_day: Decimal
    flat_usd_per_month: Decimal
    full_usd_per_month: Decimal

    @property
    def difference_usd(self) -> Decimal:
        """Return how much the flat estimate misses (negative when it overstates)."""
        return self.full_usd_per_month - self.flat_usd_per_month

    @property
    def ratio(self) -> Decimal | None:
        """Return full token math / flat estimate."""
        return (
            self.full_usd_per_month / self.flat_usd_per_month if self.flat_usd_per_month else None
        )


@dataclass
class PlanResult:
    """The result of ``plan``; token and USD figures per component are per request, at midpoints."""

    scenario: Scenario
    prices: list[RoutePrice]
    requests_per_day: Decimal
    outcomes_per_day: Decimal
    tokens: dict[str, Decimal]
    usd: dict[str, Decimal]
    estimates: dict[str, Estimate]
    stack_lines: list[StackLine]
    scale: ScaleAdvice
    simulated: bool
    flat: FlatComparison | None = None
    notes: list[str] = field(default_factory=list)

    def share(self, component: str) -> Decimal | None:
        """Return a component's share of the token cost per request."""
        total = sum(self.usd.values(), Decimal(0))
        return self.usd[component] / total if total else None


def plan(
    scenario: Scenario,
    catalog: PriceCatalog,
    stack: CostStackConfig | None = None,
    scale: ScaleConfig | None = None,
    source: str = "scenario",
) -> PlanResult:
    """Compute the cost of a scenario; ``source`` names the file in error messages."""
    stack = stack or CostStackConfig()
    # Token counts do not depend on prices; the mean prompt picks the long-context band.
    tokens_at_mid = request_math(scenario, [], MID).tokens
    prompt_tokens = int(sum(v for k, v in tokens_at_mid.items() if k != "output"))
    when = scenario.price_date or datetime.now(UTC).date()
    prices = price_routes(catalog, scenario.routes(), when, prompt_tokens, source)

    math = request_math(scenario, prices, MID)
    points = plan_figures(scenario, prices, stack, MID)
    sampler = SampleResolver(scenario.simulation.samples, scenario.simulation.seed)
    samples = plan_figures(scenario, prices, stack, sampler)
    simulated = sampler.drew_ranges

    requests, outcomes = daily_volume(scenario, MID)
    result = PlanResult(
        scenario=scenario,
        prices=prices,
        requests_per_day=requests,
        outcomes_per_day=outcomes,
        tokens=math.tokens,
        usd=math.usd,
        estimates={
            name: _estimate(points[name], samples[name] if simulated else None) for name in FIGURES
        },
        stack_lines=_stack_lines(scenario, stack, requests, outcomes),
        scale=scale_advice(requests, scale),
        simulated=simulated,
    )
    result.flat = _flat(scenario, prices, requests, outcomes, points["token_usd_per_month"])
    if scenario.batch_share.high > 0:
        for price in prices:
            result.notes.extend(f"{price.model_id}: {note}" for note in price.notes)
    return result


def _estimate(point: Decimal, samples: FloatArray | None) -> Estimate:
    if samples is None:
        return Estimate(point, point, point, point)
    p = percentiles(samples)
    return Estimate(point, p[10], p[50], p[90])


def _stack_lines(
    scenario: Scenario, stack: CostStackConfig, requests: Decimal, outcomes: Decimal
) -> list[StackLine]:
    if scenario.coststack is None:
        return []
    days = scenario.days_per_month
    volume = Volume(months=Decimal(1), requests=requests * days, outcomes=outcomes * days)
    return feature_stack_lines(stack, scenario.coststack, volume)


def _flat(
    scenario: Scenario,
    prices: list[RoutePrice],
    requests: Decimal,
    outcomes: Decimal,
    full_usd_per_month: Decimal,
) -> FlatComparison | None:
    flat = scenario.flat_estimate
    if flat is None:
        return None
    if flat.tokens_per_request is not None:
        tokens_per_day = flat.tokens_per_request * requests
    else:
        assert flat.tokens_per_conversation is not None
        tokens_per_day = flat.tokens_per_conversation * outcomes
    input_rate = sum((p.route.share * p.standard.input for p in prices), Decimal(0))
    flat_month = tokens_per_day * input_rate * scenario.days_per_month
    return FlatComparison(tokens_per_day, flat_month, full_usd_per_month)
