using OrderSystem.Inventory.Contracts;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Order;

internal static class PlaceOrderValidation
{
    public const int MaxItems = 50;
    public const int MaxQuantity = 999;

    public static Dictionary<string, string[]> Validate(PlaceOrder.Request request)
    {
        var errors = new Dictionary<string, string[]>();
        if (!UserIds.IsValid(request.UserId))
        {
            errors["userId"] = [UserIds.Message];
        }
        if (request.Items is not { Count: >= 1 and <= MaxItems } items)
        {
            errors["items"] = [$"Give 1 to {MaxItems} items."];
            return errors;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { } item)
            {
                errors[$"items[{i}]"] = ["An item must be an object with sku and quantity."];
                continue;
            }
            if (!Skus.IsValid(item.Sku))
            {
                errors[$"items[{i}].sku"] = [Skus.Message];
            }
            else if (!seen.Add(item.Sku))
            {
                errors[$"items[{i}].sku"] = ["Each SKU may appear once; put the total in its quantity."];
            }
            if (item.Quantity is not (>= 1 and <= MaxQuantity))
            {
                errors[$"items[{i}].quantity"] = [$"The quantity must be a whole number from 1 to {MaxQuantity}."];
            }
        }
        return errors;
    }

    public static Dictionary<string, string[]> UnknownSkus(List<string> skus, IReadOnlyDictionary<string, decimal> prices)
    {
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < skus.Count; i++)
        {
            if (!prices.ContainsKey(skus[i]))
            {
                errors[$"items[{i}].sku"] = [$"Unknown SKU '{skus[i]}'."];
            }
        }
        return errors;
    }
}
