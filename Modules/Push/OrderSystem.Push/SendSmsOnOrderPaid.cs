using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;
using OrderSystem.Push.Contracts;

namespace OrderSystem.Push;

/// <summary>Texts the buyer that the payment arrived, once per order.</summary>
internal sealed class SendSmsOnOrderPaid(
    ModuleStore<ModuleTag> push, SmsGateway gateway, TimeProvider clock, IFulfillmentRecorder? order = null) : IConsumer<OrderPaid>
{
    private const string InsertSql = """
        INSERT IGNORE INTO push_sms (order_id, user_id, text, status, sent_at) VALUES (@OrderId, @UserId, @Text, 'Sent', @Now)
        """;

    public async Task Consume(ConsumeContext<OrderPaid> context)
    {
        var paid = context.Message;
        var messageId = context.MessageId!.Value;
        var ct = context.CancellationToken;
        var attempts = DeliveryAttempts.Of<SendSmsOnOrderPaid>(context);
        if (await push.HandledBeforeAsync(messageId, nameof(SendSmsOnOrderPaid), attempts, ct))
        {
            return;
        }
        var text = string.Create(CultureInfo.InvariantCulture,
            $"OrderSystem: we received your payment of {paid.Amount:0.00} for order {paid.OrderId}. Thank you!");
        // The slow third-party call happens outside any transaction, so no database lock waits on the gateway.
        await gateway.SendAsync("payment-received", paid.OrderId, paid.UserId, text, ct);

        var now = clock.UtcNowForDatabase();
        var record = new MySqlBatchCommand(InsertSql)
        {
            Parameters = { new("@OrderId", paid.OrderId), new("@UserId", paid.UserId), new("@Text", text), new("@Now", now) },
        };
        var delivery = new StepDelivery(messageId, attempts);
        await push.ApplyOnceAsync(messageId, nameof(SendSmsOnOrderPaid), now, record,
            new SmsSent(paid.OrderId, paid.UserId, now, delivery.MessageId, delivery.Attempts),
            order?.RecordDoneIfPreviousInserted(push.Db.DataSource, paid.OrderId, FulfillmentStep.Sms, now, delivery));
    }
}

/// <summary>Many messages in flight at once: each mostly waits on the gateway.</summary>
internal sealed class SendSmsOnOrderPaidDefinition(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<SendSmsOnOrderPaid>(PushModule.Declaration, 128, retry);
