Console.WriteLine("fastnet");
