namespace OrderSystem.FlashSales;

/// <summary>Names this module in shared generic plumbing, such as its store.</summary>
internal sealed class ModuleTag;
