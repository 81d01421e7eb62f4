namespace OrderSystem.Inventory;

internal sealed record Product(string Sku, string Name, decimal Price, int Available);
