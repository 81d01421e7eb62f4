namespace OrderSystem.Refunds;

/// <summary>Refunds:* settings.</summary>
internal sealed class RefundOptions
{
    /// <summary>How often the processor looks for refunds to submit or to ask about (one indexed probe).</summary>
    public int PollMs { get; set; } = 500;

    /// <summary>How often a Processing refund is queried when no webhook came. Never a deadline: Processing never fails by a timer.</summary>
    public int QueryIntervalMs { get; set; } = 2000;

    /// <summary>A claimed refund is this host's for this long; a crashed host's claims lapse after it.</summary>
    public int LeaseMs { get; set; } = 60000;

    /// <summary>Refunds worked on at once by one host.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Where the provider sends its webhooks (our POST /api/payments/refund-webhook); empty: none, query only.</summary>
    public string WebhookUrl { get; set; } = "";
}
