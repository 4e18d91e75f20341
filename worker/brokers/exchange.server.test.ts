import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { createBinanceMock } from "../../test/msw/binance";
import { clientOrderId } from "./client-order-id";
import { createCcxtExchange } from "./ccxt-exchange.server";
import { createExchangeBroker } from "./exchange.server";

const binance = createBinanceMock({ fillPrice: () => 60_000, hangMs: 400 });
const server = setupServer(...binance.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  binance.state.orders.length = 0;
  binance.state.orderPosts.length = 0;
  binance.state.orderLookups.length = 0;
  binance.state.nextOrder = "fill";
});
afterAll(() => server.close());

const makeBroker = () =>
  createExchangeBroker({
    exchange: createCcxtExchange({ apiKey: "test-key", secret: "test-secret", timeoutMs: 150 }),
    lookupBackoffMs: 0,
  });

const order = {
  clientOrderId: clientOrderId("sub-1", "exec-1"),
  symbol: "BTC/USDT",
  side: "buy" as const,
  quantity: 0.01,
  referencePrice: 59_000,
};

describe("exchange broker (ccxt → Binance REST, mocked by msw)", () => {
  it("maps a filled market order, with the fee from its fills", async () => {
    const result = await makeBroker().placeMarketOrder(order);
    expect(result).toEqual({
      status: "filled",
      fillPrice: 60_000,
      filledQuantity: 0.01,
      fee: expect.closeTo(0.6, 9),
      exchangeOrderId: String(binance.state.orders[0].orderId),
      filledAt: binance.state.orders[0].time,
      // Under the exchange's trade id (Binance's FULL answer names it).
      fills: [
        {
          tradeId: expect.stringMatching(/^\d+$/),
          price: 60_000,
          quantity: 0.01,
          fee: expect.closeTo(0.6, 9),
        },
      ],
    });
  });

  it("sends our client order id as newClientOrderId, a signed MARKET order", async () => {
    await makeBroker().placeMarketOrder({ ...order, side: "sell" });
    expect(binance.state.orderPosts).toHaveLength(1);
    const posted = binance.state.orderPosts[0];
    expect(posted.get("newClientOrderId")).toBe(order.clientOrderId);
    expect(posted.get("type")).toBe("MARKET");
    expect(posted.get("side")).toBe("SELL");
    expect(posted.get("symbol")).toBe("BTCUSDT");
    expect(posted.get("quantity")).toBe("0.01");
  });

  it("maps -2010 insufficient balance to a rejection with the reason", async () => {
    binance.state.nextOrder = "insufficient_balance";
    const result = await makeBroker().placeMarketOrder(order);
    expect(result).toEqual({ status: "rejected", reason: expect.stringContaining("insufficient balance") });
  });

  it("after a timeout, finds the order by client id and does not post twice", async () => {
    binance.state.nextOrder = "accept_then_hang";
    const result = await makeBroker().placeMarketOrder(order);
    expect(binance.state.orderPosts).toHaveLength(1);
    expect(binance.state.orderLookups.map((p) => p.get("origClientOrderId"))).toEqual([order.clientOrderId]);
    const [stored] = binance.state.orders;
    expect(result).toEqual({
      status: "filled",
      fillPrice: 60_000,
      filledQuantity: 0.01,
      fee: expect.closeTo(0.6, 9), // 0.01 × 60,000 × 0.1 %, read back from the order's trades
      exchangeOrderId: String(stored.orderId),
      // The fill's time, from the order's trades.
      filledAt: stored.time,
      fills: [
        {
          tradeId: expect.stringMatching(/^\d+$/),
          price: 60_000,
          quantity: 0.01,
          fee: expect.closeTo(0.6, 9),
          time: stored.time,
        },
      ],
    });
  });

  it("after a timeout with no order on the exchange, reports it not placed (and does not re-send)", async () => {
    server.use(
      // The request dies before Binance records anything.
      http.post("*/api/v3/order", async () => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        return HttpResponse.json(
          { code: -1000, msg: "An unknown error occurred while processing the request." },
          { status: 500 },
        );
      }),
    );
    const result = await createExchangeBroker({
      exchange: createCcxtExchange({ apiKey: "k", secret: "s", timeoutMs: 150 }),
      lookupAttempts: 2,
      lookupBackoffMs: 0,
    }).placeMarketOrder(order);
    expect(result).toEqual({ status: "rejected", reason: expect.stringContaining("Not placed") });
    expect(binance.state.orderLookups).toHaveLength(2);
  });

  it("treats Binance's 'Duplicate order sent.' as proof the order exists and reads it back", async () => {
    await makeBroker().placeMarketOrder(order);
    server.use(
      http.post("*/api/v3/order", () =>
        HttpResponse.json({ code: -2010, msg: "Duplicate order sent." }, { status: 400 }),
      ),
    );
    const again = await makeBroker().placeMarketOrder(order);
    expect(again).toMatchObject({
      status: "filled",
      exchangeOrderId: String(binance.state.orders[0].orderId),
    });
    expect(binance.state.orders).toHaveLength(1);
  });

  it("reads min quantity, step and min notional from the markets", async () => {
    await expect(makeBroker().loadLimits("SOL/USDT")).resolves.toEqual({
      minQuantity: 0.001,
      quantityStep: 0.001,
      minNotional: 5,
    });
    await expect(makeBroker().loadLimits("BTC/USDT")).resolves.toEqual({
      minQuantity: 0.00001,
      quantityStep: 0.00001,
      minNotional: 5,
    });
  });
});
