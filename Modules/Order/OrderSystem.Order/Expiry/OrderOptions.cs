namespace OrderSystem.Order.Expiry;

/// <summary>The "Orders" section of the configuration.</summary>
public sealed class OrderOptions
{
    /// <summary>How long a new order waits for its payment before it is closed as Expired.</summary>
    public int PaymentWindowSeconds { get; set; } = 1800;

    /// <summary>The longest the closer sleeps between two looks at the next deadline (it wakes on the deadline itself).</summary>
    public int ExpiryPollMs { get; set; } = 250;

    /// <summary>How many due orders one closing transaction takes.</summary>
    public int ExpiryBatchSize { get; set; } = 1000;

    /// <summary>How many closing loops each host runs side by side.</summary>
    public int ExpiryClosers { get; set; } = 2;
}
