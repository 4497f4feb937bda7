namespace FastNet.Model;

/// <summary>A model file that cannot be used, with the file and the field at fault in the message.</summary>
public sealed class ModelFormatException(string message, Exception? inner = null) : Exception(message, inner);
