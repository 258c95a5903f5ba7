/** The AskUserQuestion calls the real-Claude tests make the fake model send (the terminal draws them the same way). */

export const colour = {
  question: "Which colour should the button be?",
  header: "Colour",
  multiSelect: false,
  options: [
    { label: "Crimson", description: "A deep red" },
    { label: "Teal", description: "Blue-green" },
  ],
};

export const toppings = {
  question: "Which toppings do you want?",
  header: "Toppings",
  multiSelect: true,
  options: [
    { label: "Cheese", description: "Melted" },
    { label: "Olives", description: "Black" },
    { label: "Basil", description: "Fresh" },
  ],
};

export const size = {
  question: "Which size?",
  header: "Size",
  multiSelect: false,
  options: [
    { label: "Small", description: "25 cm" },
    { label: "Large", description: "35 cm" },
  ],
};
